import {
  FDS_ANY,
  FDS_OR_NONE,
  FDS_UP_TO,
  K_BODY,
  K_FDS,
  K_STRUCT,
  K_TAIL,
  PROF_BIG,
  PROF_MSG_REPLY,
  PROF_MSG_REQUEST,
} from "./generated/wasm-abi";
import * as S from "./generated/status";
import { Mem, Prof } from "./mem";
import { firstField, fieldOffset } from "./tables";
import { rec, setError } from "./records";
import { emitFields } from "./parse";
import {
  FDRULE_ANY,
  FDRULE_DMA_MAP,
  FDRULE_SET_IRQS,
  FDRULE_UP_TO_ONE,
  MSGCMD,
  NUM_MSGCMD,
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_USER_DMA_MAP__FLAGS,
  O_VFIO_USER_MESSAGE__BODY,
  O_VFIO_USER_MESSAGE__COMMAND,
  O_VFIO_USER_MESSAGE__FLAGS,
  O_VFIO_USER_MESSAGE__MSG_SIZE,
  SIZEOF_VFIO_IRQ_SET,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
  VFIO_USER_F_DMA_REGION_FILE_IO,
  VFIO_USER_F_DMA_REGION_MMAP,
  VFIO_USER_F_ERROR,
  VFIO_USER_F_TYPE_MASK,
  VFIO_USER_F_TYPE_REPLY,
} from "./generated/layout";

/** Header size: where the body starts. */
const HDR: u32 = O_VFIO_USER_MESSAGE__BODY;
const MSGCMD_STRIDE: usize = 8;
const BODY_RAW: u32 = 0xffff;

/** Byte k of a command's row. (A static method: TypeScript tools accept `@inline` on a method, not on a function.) */
class Cmd {
  @inline static byte(cmd: u32, k: usize): u32 {
    return load<u8>(MSGCMD + (cmd as usize) * MSGCMD_STRIDE + k) as u32;
  }
}

/** Body code of a command: 0 none, 0xffff raw, otherwise struct id + 1. */
function bodyCode(cmd: u32, reply: bool): u32 {
  const k: usize = reply ? 4 : 2;
  return Cmd.byte(cmd, k) | (Cmd.byte(cmd, k + 1) << 8);
}

/**
 * Parse a vfio-user message: header records, then K_FDS (fds expected) and K_BODY (the body's
 * struct and parse mode). Checks, in order: header complete (E_SHORT), type bits (E_MSG_TYPE),
 * msg_size >= 16 (E_MSG_SIZE_MIN) and <= the bytes supplied (E_MSG_SIZE_OVER), command known
 * (E_MSG_COMMAND); bytes past msg_size end in K_TAIL and E_MSG_TRAILING after the body record.
 */
export function parseMessage(sid: i32, prof: u32, src: usize, len: u32): i32 {
  const v = Prof.variantOf(prof);
  const big = (prof & PROF_BIG) != 0;
  const first = firstField(sid);
  rec(K_STRUCT, 0, sid as u32, 0, len < HDR ? len : HDR, 0, HDR as u64);
  const fe = emitFields(sid, prof, v, src, 0, len, 1, 0, HDR);
  if (fe < 0) return fe as i32;
  const cmd = Mem.rd16(src + O_VFIO_USER_MESSAGE__COMMAND, big);
  const size = Mem.rd32(src + O_VFIO_USER_MESSAGE__MSG_SIZE, big);
  const flags = Mem.rd32(src + O_VFIO_USER_MESSAGE__FLAGS, big);
  const fFlags = first + 3,
    fSize = first + 2,
    fCmd = first + 1;
  const type = flags & VFIO_USER_F_TYPE_MASK;
  if (type > VFIO_USER_F_TYPE_REPLY) return setError(S.E_MSG_TYPE, fieldOffset(fFlags, v), fFlags, flags as u64);
  if (size < HDR) return setError(S.E_MSG_SIZE_MIN, fieldOffset(fSize, v), fSize, size as u64, HDR);
  if (size > len) return setError(S.E_MSG_SIZE_OVER, fieldOffset(fSize, v), fSize, size as u64, len);
  if (cmd >= NUM_MSGCMD || Cmd.byte(cmd, 0) == 0)
    return setError(S.E_MSG_COMMAND, fieldOffset(fCmd, v), fCmd, cmd as u64);
  const reply = type == VFIO_USER_F_TYPE_REPLY;
  const errorReply = reply && (flags & VFIO_USER_F_ERROR) != 0;
  const bodyLen = size - HDR;
  const body = src + HDR;

  // fds the receiver expects: an error reply carries none
  let nfds: u32 = 0,
    fdFlags: u32 = 0;
  const rule = errorReply ? 0 : Cmd.byte(cmd, reply ? 7 : 6);
  if (rule == FDRULE_SET_IRQS) {
    if (
      bodyLen >= SIZEOF_VFIO_IRQ_SET &&
      (Mem.rd32(body + O_VFIO_IRQ_SET__FLAGS, big) & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_EVENTFD
    ) {
      nfds = Mem.rd32(body + O_VFIO_IRQ_SET__COUNT, big);
      fdFlags = FDS_OR_NONE;
    }
  } else if (rule == FDRULE_DMA_MAP) {
    nfds = 1;
    const needFd = VFIO_USER_F_DMA_REGION_MMAP | VFIO_USER_F_DMA_REGION_FILE_IO;
    if (bodyLen < O_VFIO_USER_DMA_MAP__FLAGS + 4 || (Mem.rd32(body + O_VFIO_USER_DMA_MAP__FLAGS, big) & needFd) == 0)
      fdFlags = FDS_UP_TO;
  } else if (rule == FDRULE_UP_TO_ONE) {
    nfds = 1;
    fdFlags = FDS_UP_TO;
  } else if (rule == FDRULE_ANY) fdFlags = FDS_ANY;
  rec(K_FDS, 0, 0xffff, HDR, 0, nfds, fdFlags as u64);

  // the body: an error reply holds only the header (any bytes are kept raw)
  const code = errorReply ? (bodyLen > 0 ? BODY_RAW : 0) : bodyCode(cmd, reply);
  if (code != 0 || bodyLen > 0) {
    const mode = reply ? PROF_MSG_REPLY : PROF_MSG_REQUEST;
    rec(K_BODY, 1, code == 0 || code == BODY_RAW ? 0xffff : code - 1, HDR, bodyLen, mode, code as u64);
  }
  if (size < len) {
    rec(K_TAIL, 0, 0, size, len - size, 0, 0);
    return setError(S.E_MSG_TRAILING, size, fSize, size as u64, len);
  }
  return S.OK;
}
