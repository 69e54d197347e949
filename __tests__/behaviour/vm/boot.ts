import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Boots the test image (build-image.sh) in QEMU as a vSphere-looking guest and returns the folder
 * holding what the guest collected. One boot at a time: TCG keeps a host core busy.
 *
 * The guest sees: DMI "VMware, Inc." / "VMware Virtual Platform", a vmxnet3 NIC (named ens192 by a
 * .link rule in the image), the root file system on virtio (copy-on-write: the cached image stays
 * pristine), a read-only tar archive on /dev/vdb that its vmware-rpctool stand-in answers guestinfo
 * from (plus test inputs under vmtest/), and an empty ext4 results disk on /dev/vdc.
 * Network: QEMU user mode with restrict=on (nothing leaves the VM); the user-mode gateway takes the
 * node network's gateway address so the static route in the metadata is the real default route.
 */

export const VM_CACHE = process.env.VM_CACHE ?? "/var/cache/vsphere-guest-test";
export const QEMU = "qemu-system-x86_64";

export interface BootInput {
  /** Scenario name: results land in $VM_CACHE/runs/<name> (kept for inspection). */
  readonly name: string;
  readonly imageDir: string;
  /** guestinfo key (e.g. "guestinfo.metadata") -> value, as vSphere would hold it. */
  readonly guestinfo: Record<string, string>;
  /** Extra inputs for the guest's test helpers: vmtest/<name> -> content. */
  readonly inputs: Record<string, string>;
  /** Node network CIDR and gateway (QEMU's user-mode network is put on them). */
  readonly network: { readonly cidr: string; readonly gateway: string };
  /** The API VIP. Without `api`, connections to VIP:6443 are accepted and closed at once (nothing answers). */
  readonly apiVip: string;
  /** Answer on VIP:6443 like a ready API server (fake-api.js: TLS with this certificate, /readyz 200). */
  readonly api?: { readonly certPem: string; readonly keyPem: string };
  readonly timeoutSeconds?: number;
}

export interface BootResult {
  /** What the guest collected (from its results disk). */
  readonly dir: string;
  /** The run folder: serial.log, qemu-args.json, api-requests.log (fake API), results/. */
  readonly run: string;
  readonly serial: string;
  readonly seconds: number;
  readonly exitedByItself: boolean;
}

export function buildImage(): string {
  const out = execFileSync("bash", [join(__dirname, "build-image.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, VM_CACHE } });
  return out.trim().split("\n").pop() as string;
}

export async function boot(input: BootInput): Promise<BootResult> {
  const run = join(VM_CACHE, "runs", input.name);
  rmSync(run, { recursive: true, force: true });
  const staging = join(run, "inputs");
  mkdirSync(join(staging, "guestinfo"), { recursive: true });
  mkdirSync(join(staging, "vmtest"), { recursive: true });
  for (const [k, v] of Object.entries(input.guestinfo)) writeFileSync(join(staging, "guestinfo", k.replace(/^guestinfo\./, "")), v);
  for (const [k, v] of Object.entries(input.inputs)) writeFileSync(join(staging, "vmtest", k), v);
  const inputsTar = join(run, "inputs.tar");
  execFileSync("tar", ["-cf", inputsTar, "-C", staging, "guestinfo", "vmtest"]);
  rmSync(staging, { recursive: true, force: true });
  const results = join(run, "results.ext4");
  execFileSync("truncate", ["-s", "64M", results]);
  execFileSync("mkfs.ext4", ["-q", "-F", "-L", "vmtest-results", results]);
  const serial = join(run, "serial.log");
  let vipCommand = "/bin/true";
  if (input.api) {
    writeFileSync(join(run, "api.crt"), input.api.certPem);
    writeFileSync(join(run, "api.key"), input.api.keyPem, { mode: 0o600 });
    vipCommand = `${process.execPath} ${join(__dirname, "fake-api.js")} ${join(run, "api.crt")} ${join(run, "api.key")} ${join(run, "api-requests.log")}`;
    if (vipCommand.includes(",")) throw new Error(`QEMU guestfwd cannot take commas in ${vipCommand}`);
  }
  const [net, bits] = input.network.cidr.split("/");
  const args = [
    // No CPUID hypervisor leaf: TCG's would make systemd-detect-virt say "qemu" before it reads DMI,
    // and ds-identify only looks for the VMware datasource when the platform is "vmware".
    "-accel", "tcg", "-cpu", "qemu64,hypervisor=off", "-m", "1536", "-smp", "1", "-no-reboot", "-nodefaults", "-display", "none",
    "-kernel", join(input.imageDir, "vmlinuz"), "-initrd", join(input.imageDir, "initrd.img"),
    "-append", "root=/dev/vda rw console=ttyS0 systemd.show_status=1 net.ifnames=1 panic=-1",
    "-drive", `file=${join(input.imageDir, "rootfs.ext4")},format=raw,if=virtio,snapshot=on`,
    "-drive", `file=${inputsTar},format=raw,if=virtio,readonly=on`,
    "-drive", `file=${results},format=raw,if=virtio`,
    "-smbios", "type=1,manufacturer=VMware,, Inc.,product=VMware Virtual Platform",
    "-netdev", `user,id=n0,net=${net}/${bits},host=${input.network.gateway},restrict=on,ipv6=off,guestfwd=tcp:${input.apiVip}:6443-cmd:${vipCommand}`,
    "-device", "vmxnet3,netdev=n0,mac=00:50:56:aa:bb:01",
    "-serial", `file:${serial}`,
  ];
  writeFileSync(join(run, "qemu-args.json"), JSON.stringify(args, null, 1));
  const timeout = (input.timeoutSeconds ?? Number(process.env.VM_BOOT_TIMEOUT ?? 900)) * 1000;
  const start = Date.now();
  const exitedByItself = await new Promise<boolean>((resolve, reject) => {
    const qemu = spawn(QEMU, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    qemu.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { qemu.kill("SIGKILL"); }, timeout);
    qemu.on("error", (e) => { clearTimeout(timer); reject(e); });
    qemu.on("exit", (code, signal) => {
      clearTimeout(timer);
      writeFileSync(join(run, "qemu-stderr.txt"), stderr);
      if (signal) resolve(false);
      else if (code === 0) resolve(true);
      else reject(new Error(`qemu exited with ${code}: ${stderr}`));
    });
  });
  const seconds = Math.round((Date.now() - start) / 1000);
  const dir = join(run, "results");
  mkdirSync(dir, { recursive: true });
  execFileSync("debugfs", ["-R", `rdump / ${dir}`, results], { stdio: "ignore" });
  return { dir, run, serial: existsSync(serial) ? readFileSync(serial, "utf8") : "", seconds, exitedByItself };
}
