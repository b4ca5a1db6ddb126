// Mutation classes (ids are ABI: bindings/fuzz/classes.ts names them; keep in sync).
// vfio_irq_set
export const C_VALID: i32 = 0;
export const C_ARGSZ_MIN: i32 = 1;
export const C_ARGSZ_SLACK: i32 = 2;
export const C_ARGSZ_OVER: i32 = 3;
export const C_FLAGS_UNKNOWN: i32 = 4;
export const C_DATA_ZERO: i32 = 5;
export const C_DATA_MULTI: i32 = 6;
export const C_ACTION_ZERO: i32 = 7;
export const C_ACTION_MULTI: i32 = 8;
export const C_COUNT_OVERFLOW: i32 = 9;
export const C_START_PAST: i32 = 10;
export const C_RANGE_PAST: i32 = 11;
export const C_INDEX_PAST: i32 = 12;
export const C_PAYLOAD_SHORT: i32 = 13;
export const C_FD_MINUS1: i32 = 14;
export const C_FD_BELOW: i32 = 15;
export const C_FD_CLOSED: i32 = 16;
export const C_FD_NOT_EVENTFD: i32 = 17;
export const C_BOOL_BYTE: i32 = 18;
export const SET_FIRST: i32 = 0,
  SET_LAST: i32 = 18;
// vfio_irq_info (request or reply)
export const C_II_REQ: i32 = 20;
export const C_II_REPLY: i32 = 21;
export const C_II_ARGSZ_MIN: i32 = 22;
export const C_II_ARGSZ_SLACK: i32 = 23;
export const C_II_ARGSZ_OVER: i32 = 24;
export const C_II_INDEX_PAST: i32 = 25;
export const C_II_FLAGS_UNKNOWN: i32 = 26;
export const II_FIRST: i32 = 20,
  II_LAST: i32 = 26;
// info replies with capability chains (region / device / iommu type1)
export const C_CH_VALID: i32 = 30;
export const C_CH_TOO_SMALL: i32 = 31;
export const C_CH_ARGSZ_MIN: i32 = 32;
export const C_CH_ARGSZ_SLACK: i32 = 33;
export const C_CH_ARGSZ_OVER: i32 = 34;
export const C_CH_NEXT_ZERO: i32 = 35;
export const C_CH_PAST_END: i32 = 36;
export const C_CH_INTO_HEADER: i32 = 37;
export const C_CH_MISALIGNED: i32 = 38;
export const C_CH_SELF: i32 = 39;
export const C_CH_CYCLE: i32 = 40;
export const C_CH_OVERLAP: i32 = 41;
export const C_CH_UNKNOWN_ID: i32 = 42;
export const C_CH_WRONG_VERSION: i32 = 43;
export const C_CH_FLAG_CLEAR: i32 = 44;
export const C_CH_ARRAY_OVERRUN: i32 = 45;
export const CH_FIRST: i32 = 30,
  CH_LAST: i32 = 45;
export const NUM_CLASSES: i32 = 46;

export const NO_RULE: u32 = 0xff;

/** Valid (well-formed) classes: they must decode and round-trip exactly. */
export function isValidClass(c: i32): bool {
  return c == C_VALID || c == C_II_REQ || c == C_II_REPLY || c == C_CH_VALID || c == C_CH_TOO_SMALL;
}
