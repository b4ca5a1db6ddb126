// Linux errno values (asm-generic, as on x86_64, arm64, s390x) and their names.
export const ERRNO = {
  EPERM: 1, ENOENT: 2, EIO: 5, ENXIO: 6, E2BIG: 7, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EFAULT: 14,
  EBUSY: 16, EEXIST: 17, ENODEV: 19, EINVAL: 22, ENOTTY: 25, ENOSPC: 28, ERANGE: 34, ENOSYS: 38,
  EOVERFLOW: 75, EOPNOTSUPP: 95,
} as const;
export type ErrnoName = keyof typeof ERRNO;

const byNumber = new Map<number, ErrnoName>(Object.entries(ERRNO).map(([k, v]) => [v, k as ErrnoName]));
/** Name of an errno number ("E?" when unknown), as the replay program prints it. */
export const errnoName = (n: number): ErrnoName | "E?" => byNumber.get(n) ?? "E?";
