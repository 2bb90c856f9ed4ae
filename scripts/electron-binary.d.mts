// Types of electron-binary.mjs for the TypeScript tests that share it.
export declare function electronBinary(from?: string): { bin: string } | { reason: string };
