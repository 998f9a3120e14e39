export default async () => 'default function';
