import { nothing } from 'not-installed-anywhere';
export const handler = async () => nothing;
