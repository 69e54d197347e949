/**
 * Every node's static network, from the synthesized stacks through the real cloud-init 22.4
 * (Debian's package): the VMware datasource decodes the VM's guestinfo.metadata exactly as at first
 * boot, then `cloud-init devel net-convert` renders it as Rocky 9 would (NetworkManager keyfile and
 * legacy ifcfg/sysconfig) and as Debian would (ENI). The rendered files must carry the node's
 * address, the default route, DNS servers and search domains from the environment config.
 * The old form `routes: [{to: default}]` must be rejected by this parser: that is what made nodes
 * come up without an IP on every cloud-init before 25.3, so this test can tell the two apart.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { allNodes } from "../../lib/config/pool-nodes";
import type { EnvironmentConfig } from "../../lib/config/types";
import { validateEnvironment } from "../../lib/config/validate";
import { environments } from "../../stacks/app";
import { resourcesByPath, synthEnvironments } from "../helpers/synth";
import { describeWithTool } from "../tools";

// 18 nodes x 3 renderers, each a cloud-init process: minutes on a busy 2-core machine.
jest.setTimeout(300_000);

/** The interpreter of Debian's cloud-init package (cloud-init's own shebang). */
const CLOUD_INIT_PYTHON = "/usr/bin/python3";
const IFACE = "ens192";

interface NodeUnderTest {
  readonly env: EnvironmentConfig;
  readonly name: string;
  readonly ip: string;
  readonly metadata: string;
  readonly encoding: string;
}

interface DatasourceView {
  readonly instance_id: string;
  readonly hostname: string;
  readonly network: unknown;
}

function run(command: string, args: readonly string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (status) => resolve({ status, output }));
  });
}

/** `cloud-init devel net-convert` of a v2 network config; returns the rendered files by path. */
async function netConvert(network: unknown, distro: string, kind: string): Promise<{ status: number | null; output: string; read(rel: string): string }> {
  const dir = mkdtempSync(join(tmpdir(), `net-${kind}-`));
  writeFileSync(join(dir, "network-config.json"), JSON.stringify(network));
  const out = join(dir, "out");
  const result = await run("cloud-init", ["devel", "net-convert", "-p", join(dir, "network-config.json"), "-k", "yaml", "-d", out, "-D", distro, "-O", kind]);
  return { ...result, read: (rel) => readFileSync(join(out, rel), "utf8") };
}

/** Runs `check` for every node, a few at a time (each net-convert is a ~1 s Python start). */
async function forEachNode(nodes: readonly NodeUnderTest[], check: (node: NodeUnderTest) => Promise<void>): Promise<void> {
  const queue = [...nodes];
  const worker = async (): Promise<void> => {
    for (let node = queue.shift(); node; node = queue.shift()) await check(node);
  };
  await Promise.all([worker(), worker(), worker()]);
}

function netmask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 255).join(".");
}

describeWithTool("cloud-init")("node network-config through the real cloud-init 22.4 (VMware datasource + net-convert)", () => {
  const configs = Object.values(environments).map((e) => validateEnvironment(e));
  let nodes: NodeUnderTest[] = [];
  const seen = new Map<string, DatasourceView>();

  beforeAll(() => {
    const { stacks } = synthEnvironments();
    nodes = configs.flatMap((env) =>
      Object.values<any>(resourcesByPath(stacks[env.name], "vsphere_virtual_machine")).map((vm) => {
        const node = allNodes(env).find((n) => n.name === vm.name);
        if (!node) throw new Error(`${env.name}: VM ${vm.name} is no node of the config`);
        return { env, name: vm.name, ip: node.ip, metadata: vm.extra_config["guestinfo.metadata"], encoding: vm.extra_config["guestinfo.metadata.encoding"] };
      }),
    );
    // One cloud-init process decodes every node, as its VMware datasource does at first boot.
    const decoded = spawnSync(CLOUD_INIT_PYTHON, [join(__dirname, "vmware-datasource.py")], {
      input: JSON.stringify(nodes.map(({ metadata, encoding }) => ({ metadata, encoding }))),
      encoding: "utf8",
    });
    if (decoded.status !== 0) throw new Error(`cloud-init's VMware datasource failed:\n${decoded.stderr}`);
    (JSON.parse(decoded.stdout) as DatasourceView[]).forEach((view, i) => seen.set(nodes[i].name, view));
  });

  test("every node of every environment is there (sandbox 2, dev 6, prod 10 VMs)", () => {
    expect(nodes.map((n) => n.name).sort()).toEqual(configs.flatMap((env) => allNodes(env).map((n) => n.name)).sort());
    expect(nodes).toHaveLength(18);
  });

  test("guestinfo.metadata is really gzip+base64 (cloud-init would silently take plain base64 as text)", () => {
    for (const node of nodes) {
      expect({ node: node.name, encoding: node.encoding }).toEqual({ node: node.name, encoding: "gzip+base64" });
      expect(() => gunzipSync(Buffer.from(node.metadata, "base64"))).not.toThrow();
    }
  });

  test("the datasource sees each node's hostname, instance id and a v2 network config", () => {
    for (const node of nodes) {
      const view = seen.get(node.name)!;
      expect({ node: node.name, hostname: view.hostname, version: (view.network as any).version }).toEqual({ node: node.name, hostname: node.name, version: 2 });
      expect(view.instance_id).toMatch(new RegExp(`^${node.name}-r\\d+$`));
    }
  });

  test("Rocky 9, NetworkManager: keyfile with the static address, default route via the gateway, DNS and search", async () => {
    await forEachNode(nodes, async (node) => {
      const { cidr, gateway, dnsServers, searchDomains = [] } = node.env.network;
      const prefix = cidr.split("/")[1];
      const nm = await netConvert(seen.get(node.name)!.network, "rocky", "network-manager");
      expect({ node: node.name, status: nm.status }).toEqual({ node: node.name, status: 0 });
      const keyfile = nm.read(`etc/NetworkManager/system-connections/cloud-init-${IFACE}.nmconnection`);
      expect(keyfile).toContain(`interface-name=${IFACE}`);
      const ipv4 = keyfile.slice(keyfile.indexOf("[ipv4]"));
      expect(ipv4).toMatch(/^method=manual$/m);
      expect(ipv4).toContain(`\naddress1=${node.ip}/${prefix}\n`);
      expect(ipv4).toContain(`\nroute1=0.0.0.0/0,${gateway}\n`);
      expect(ipv4).toContain(`\ndns=${dnsServers.map((d) => `${d};`).join("")}\n`);
      expect(ipv4).toContain(`\ndns-search=${searchDomains.map((d) => `${d};`).join("")}\n`);
    });
  });

  test("Rocky 9, sysconfig: ifcfg with IPADDR/NETMASK, GATEWAY as default route, DNS and DOMAIN", async () => {
    await forEachNode(nodes, async (node) => {
      const { cidr, gateway, dnsServers, searchDomains = [] } = node.env.network;
      const sc = await netConvert(seen.get(node.name)!.network, "rocky", "sysconfig");
      expect({ node: node.name, status: sc.status }).toEqual({ node: node.name, status: 0 });
      const ifcfg = sc.read(`etc/sysconfig/network-scripts/ifcfg-${IFACE}`);
      const lines = ifcfg.split("\n");
      expect(lines).toEqual(
        expect.arrayContaining([
          "BOOTPROTO=none",
          `DEVICE=${IFACE}`,
          `IPADDR=${node.ip}`,
          `NETMASK=${netmask(Number(cidr.split("/")[1]))}`,
          `GATEWAY=${gateway}`,
          "DEFROUTE=yes",
          ...dnsServers.map((d, i) => `DNS${i + 1}=${d}`),
          `DOMAIN=${searchDomains.length > 1 ? `"${searchDomains.join(" ")}"` : searchDomains[0]}`,
        ]),
      );
      const resolv = sc.read("etc/resolv.conf");
      for (const d of dnsServers) expect(resolv).toContain(`nameserver ${d}\n`);
      expect(resolv).toContain(`search ${searchDomains.join(" ")}`);
    });
  });

  test("Debian, ENI: static address, default route via the gateway, DNS and search", async () => {
    await forEachNode(nodes, async (node) => {
      const { cidr, gateway, dnsServers, searchDomains = [] } = node.env.network;
      const eni = await netConvert(seen.get(node.name)!.network, "debian", "eni");
      expect({ node: node.name, status: eni.status }).toEqual({ node: node.name, status: 0 });
      const stanza = eni.read("etc/network/interfaces.d/50-cloud-init").split(`iface ${IFACE} inet static`)[1];
      expect(stanza).toBeDefined();
      expect(stanza).toContain(`address ${node.ip}/${cidr.split("/")[1]}\n`);
      expect(stanza).toContain(`post-up route add default gw ${gateway} || true`);
      expect(stanza).toContain(`dns-nameservers ${dnsServers.join(" ")}\n`);
      expect(stanza).toContain(`dns-search ${searchDomains.join(" ")}\n`);
    });
  });

  test("the old route form `to: default` is rejected by this cloud-init's parser (the node would get no IP)", async () => {
    const node = nodes[0];
    const network = structuredClone(seen.get(node.name)!.network) as any;
    expect(network.ethernets[IFACE].routes).toEqual([{ to: "0.0.0.0/0", via: node.env.network.gateway }]);
    network.ethernets[IFACE].routes = [{ to: "default", via: node.env.network.gateway }];
    for (const [distro, kind] of [["rocky", "network-manager"], ["rocky", "sysconfig"], ["debian", "eni"]]) {
      const result = await netConvert(network, distro, kind);
      expect({ kind, status: result.status }).toEqual({ kind, status: 1 });
      expect(result.output).toContain("Address default is not a valid ip address");
    }
  });

  test("this is cloud-init 22.4, the minimum version the README states", () => {
    const version = spawnSync("cloud-init", ["--version"], { encoding: "utf8" });
    expect(`${version.stdout}${version.stderr}`).toMatch(/\b22\.4(\.\d+)?\b/);
  });
});
