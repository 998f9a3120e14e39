import { readFile } from 'node:fs/promises';

const text = await readFile(new URL('./data/greeting.txt', import.meta.url), 'utf8');
export const handler = async () => text.trim();
