// The engine's platform string for a function's architecture; a module of its own so that planning a build
// does not load the engine adapter.
import type { Architecture } from '../config/types.js';

export const platformOf = (architecture: Architecture) => (architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64');
