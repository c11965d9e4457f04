/** The tiny MLP of the checkpoint kill test (parent and child build the same one). */
export const KILL_MODEL = { inputShape: [4], numClasses: 2, depth: 2, hiddenDim: 4, seed: 1 } as const;
