export const handler = async () => 'esm syntax under type commonjs';
