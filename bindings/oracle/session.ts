// A process's view of VFIO: one container, several devices, one set of eventfds. Predicts the
// device-fd ioctls through each device's DeviceModel, eventfd reads and writes, and the few
// container/group ioctls whose answers do not depend on the host (API version, TYPE1 extensions,
// group status).
import { DeviceModel, EventfdTable, type IoctlRequest, type Prediction } from "./model.js";
import type { DeviceDescription } from "./device.js";

export class OracleSession {
  readonly fds = new EventfdTable();
  readonly devices = new Map<string, DeviceModel>();
  current: DeviceModel | null = null;

  /** Open a device (it becomes current); opening an open one just switches to it. */
  open(key: string, desc: DeviceDescription): DeviceModel {
    let m = this.devices.get(key);
    if (!m) { m = new DeviceModel(desc, this.fds); this.devices.set(key, m); }
    this.current = m;
    return m;
  }
  use(key: string): DeviceModel {
    const m = this.devices.get(key);
    if (!m) throw new Error(`device ${key} is not open`);
    return (this.current = m);
  }

  ioctl(req: IoctlRequest): Prediction {
    if (!this.current) throw new Error("no current device");
    return this.current.ioctl(req);
  }

  efdRead(fd: number) { return this.current ? this.current.efdRead(fd) : new DeviceModel({ eventfds: [...this.fds.counts.keys()] }, this.fds).efdRead(fd); }
  efdWrite(fd: number) { return this.current ? this.current.efdWrite(fd) : new DeviceModel({}, this.fds).efdWrite(fd); }

  /** VFIO_GET_API_VERSION: VFIO_API_VERSION is 0. */
  apiVersion(): Prediction { return { ret: 0, errno: null, rule: "container.api-version", reason: "VFIO_API_VERSION", stage: "done" }; }

  /**
   * VFIO_CHECK_EXTENSION before an IOMMU model is set: each loaded IOMMU driver answers. With
   * vfio_iommu_type1 loaded: TYPE1 (1) and TYPE1v2 (3) are 1; NOIOMMU (8) is 0 without
   * enable_unsafe_noiommu_mode. Other extensions depend on the host (unknown).
   */
  checkExtension(ext: number, noiommu = false): Prediction {
    const v: Record<number, number> = { 1: 1, 3: 1, 8: noiommu ? 1 : 0 };
    if (!(ext in v)) return { ret: 0, errno: null, rule: "container.extension-unknown", reason: `extension ${ext} depends on the host`, stage: "done", unknown: true };
    return { ret: v[ext], errno: null, rule: "container.extension", reason: `extension ${ext}: ${v[ext] ? "supported" : "not supported"}`, stage: "done" };
  }

  /**
   * VFIO_GROUP_GET_STATUS on a group attached to the container: argsz echoed, flags VIABLE |
   * CONTAINER_SET. struct vfio_group_status {argsz, flags} is not in the schema: minsz 8.
   */
  groupStatus(bytes: Uint8Array): Prediction {
    const minsz = 8;
    if (bytes.length < minsz) return { ret: -1, errno: "EFAULT", rule: "copy.read-past-buffer", reason: "struct vfio_group_status is 8 bytes", stage: "copy" };
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dv.getUint32(0, true) < minsz) return { ret: -1, errno: "EINVAL", rule: "group.argsz", reason: `argsz ${dv.getUint32(0, true)} is below minsz 8`, stage: "validate" };
    const reply = bytes.slice();
    new DataView(reply.buffer).setUint32(4, 0x3, true);
    return { ret: 0, errno: null, rule: "group.status", reason: "VIABLE | CONTAINER_SET", stage: "done", reply };
  }
}
