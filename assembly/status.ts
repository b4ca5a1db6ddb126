// Status codes returned by every export. >= 0 is success (often a byte or record count);
// STATUS_NEEDS_ARGSZ is the argsz two-call protocol's normal "call again" outcome.
// Keep in sync with bindings/errors.ts (tests check both against each other).
export const OK: i32 = 0;
export const NEEDS_ARGSZ: i32 = 1;

export const E_SHORT: i32 = -1;            // buffer ends inside a fixed field below minsz
export const E_ARGSZ_MIN: i32 = -2;        // argsz below minsz
export const E_ARGSZ_OVER: i32 = -3;       // argsz larger than the buffer
export const E_PAYLOAD_SHORT: i32 = -4;    // vfio_irq_set payload shorter than count x element size
export const E_CAP_INTO_HEADER: i32 = -5;  // cap_offset/next points into the fixed info struct
export const E_CAP_BACKWARDS: i32 = -6;    // next points before the current capability
export const E_CAP_SELF: i32 = -7;         // next points to the capability itself
export const E_CAP_LOOP: i32 = -8;         // next points to a capability already visited
export const E_CAP_PAST_END: i32 = -9;     // header or known body crosses the end of valid data
export const E_CAP_MISALIGNED: i32 = -10;  // offset not 4-byte aligned
export const E_CAP_TOO_MANY: i32 = -11;    // more hops than allowed
export const E_CAP_ARRAY_OVERRUN: i32 = -12; // declared array/bytes length runs past the cap or buffer
export const E_CAP_OVERLAP: i32 = -13;     // next points inside the current capability's known body
export const E_MSG_SIZE_MIN: i32 = -14;    // vfio-user msg_size below the 16-byte header
export const E_MSG_SIZE_OVER: i32 = -15;   // vfio-user msg_size larger than the bytes supplied
export const E_MSG_TYPE: i32 = -16;        // vfio-user flags type bits neither command (0) nor reply (1)
export const E_MSG_COMMAND: i32 = -17;     // vfio-user command number the protocol does not define
export const E_MSG_TRAILING: i32 = -18;    // bytes after msg_size (the start of another message?)
export const E_MSG_FDS: i32 = -19;         // number of fds passed does not fit the message (checked by hosts)
export const E_RANGE: i32 = -20;           // pointer/length arguments outside wasm memory
export const E_OUT_FULL: i32 = -21;        // output region too small
export const E_BAD_ARG: i32 = -22;         // unknown struct id, profile bits, etc.
export const E_VALUE: i32 = -23;           // encode: inconsistent value (e.g. payload with two DATA bits)
export const E_NO_MEMORY: i32 = -24;       // arena_reserve could not grow memory
