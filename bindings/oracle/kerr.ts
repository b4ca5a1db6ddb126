import type { ErrnoName } from "./errno.js";

/** Where in the kernel's path an answer was decided, in the kernel's order. */
export type Stage = "copy" | "validate" | "dispatch" | "handler" | "done";

/** A kernel error return, thrown inside the model and turned into a Prediction. */
export class KErr extends Error {
  constructor(readonly errno: ErrnoName, readonly rule: string, readonly reason: string, readonly stage: Stage = "handler") {
    super(reason);
  }
}
