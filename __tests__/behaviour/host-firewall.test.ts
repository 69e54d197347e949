/**
 * The host firewall as the kernel runs it. The ruleset every node's cloud-config carries is checked by
 * the real nft (`nft -c -f`) for the three environments, then loaded into a network namespace standing
 * for a node, with a second namespace on a veth pair sending from three kinds of source: the node
 * network, the pod network and elsewhere. A dropped SYN times out; an accepted one reaches the node's
 * TCP stack and, with nothing listening, is refused (RST): so no servers are needed to tell them apart.
 * Addresses are documentation ranges (RFC 5737) inside namespaces this test creates and deletes.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { EnvironmentConfig } from "../../lib/config/types";
import { HOST_FIREWALL_RULES_PATH, HOST_FIREWALL_TABLE, hostFirewallRules } from "../../lib/cluster/host-firewall";
import { renderedCloudConfigs } from "../../lib/cluster/rendered-files";
import { environments } from "../../stacks/app";
import { copyOf } from "../helpers/environments";
import { describeWithTools } from "../tools";

jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), "host-firewall-"));
const NODE = "192.0.2.10";
const FROM = { nodeNetwork: "192.0.2.20", podNetwork: "198.51.100.20", elsewhere: "203.0.113.20" } as const;

/** A test environment whose node and pod networks are the documentation ranges above. */
function labEnv(): EnvironmentConfig {
  const env = copyOf(environments.prod);
  env.network.cidr = "192.0.2.0/24";
  env.kubernetes.podCidr = "198.51.100.0/24";
  return env;
}

const run = (cmd: string, args: readonly string[]) => execFileSync(cmd, [...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describeWithTools([["nft", ["--version"]], ["ip", ["-V"]], ["python3", ["--version"]]])("host firewall (nftables)", () => {
  it.each(Object.values(environments).map((e) => [e.name, e as unknown as EnvironmentConfig] as const))("%s: every node's ruleset passes nft -c", (_name, env) => {
    const rulesets = new Set([...renderedCloudConfigs(env).values()].map((text) => (parse(text) as { write_files: { path: string; content: string }[] }).write_files.find((f) => f.path === HOST_FIREWALL_RULES_PATH)!.content));
    expect(rulesets.size).toBe(1); // the same on every node
    const file = join(dir, `${env.name}.nft`);
    writeFileSync(file, [...rulesets][0]);
    expect(spawnSync("nft", ["-c", "-f", file], { encoding: "utf8" })).toMatchObject({ status: 0, stderr: "" });
  });

  describe("loaded in a network namespace", () => {
    const ns = { node: `k8sfw-node-${process.pid}`, peer: `k8sfw-peer-${process.pid}` };
    const inNode = (...args: string[]) => run("ip", ["netns", "exec", ns.node, ...args]);
    const rules = join(dir, "lab.nft");

    /** "refused" (reached the node), "timeout" (dropped) or "open", for a SYN from `source` to NODE:port. */
    const probe = (source: string, port: number): string =>
      run("ip", ["netns", "exec", ns.peer, "python3", "-c", [
        "import socket,sys",
        "s=socket.socket(); s.settimeout(1.5); s.bind((sys.argv[1],0))",
        "try:\n s.connect((sys.argv[2],int(sys.argv[3]))); print('open')",
        "except ConnectionRefusedError: print('refused')",
        "except (socket.timeout, TimeoutError): print('timeout')",
      ].join("\n"), source, NODE, String(port)]).trim();

    beforeAll(() => {
      writeFileSync(rules, hostFirewallRules(labEnv()));
      run("ip", ["netns", "add", ns.node]);
      run("ip", ["netns", "add", ns.peer]);
      run("ip", ["link", "add", "fw0", "netns", ns.node, "type", "veth", "peer", "name", "fw1", "netns", ns.peer]);
      inNode("ip", "addr", "add", `${NODE}/24`, "dev", "fw0");
      inNode("ip", "link", "set", "fw0", "up");
      inNode("ip", "link", "set", "lo", "up");
      for (const net of ["198.51.100.0/24", "203.0.113.0/24"]) inNode("ip", "route", "add", net, "dev", "fw0");
      for (const address of Object.values(FROM)) run("ip", ["netns", "exec", ns.peer, "ip", "addr", "add", `${address}/24`, "dev", "fw1"]);
      run("ip", ["netns", "exec", ns.peer, "ip", "link", "set", "fw1", "up"]);
      // Loaded twice: re-running the unit (a reboot, a manual restart) must work.
      inNode("nft", "-f", rules);
      inNode("nft", "-f", rules);
    });

    afterAll(() => {
      for (const name of Object.values(ns)) spawnSync("ip", ["netns", "del", name]);
    });

    it("before anything else: unfiltered ports answer from everywhere (the probe tells drop from refuse)", () => {
      expect(probe(FROM.elsewhere, 6443)).toBe("refused");
      expect(probe(FROM.elsewhere, 22)).toBe("refused");
    });

    it.each([
      ["controller-manager", 10257], ["scheduler", 10259], ["kubelet", 10250], ["kube-proxy metrics", 10249], ["kube-vip metrics", 2112],
      ["etcd metrics", 2381], ["etcd client", 2379], ["etcd peer", 2380],
    ])("%s (:%i) is dropped from outside the node and pod networks", (_name, port) => {
      expect(probe(FROM.elsewhere, port)).toBe("timeout");
    });

    it.each([["controller-manager", 10257], ["kubelet", 10250], ["etcd client", 2379]])("%s (:%i) is reachable from the node network", (_name, port) => {
      expect(probe(FROM.nodeNetwork, port)).toBe("refused");
    });

    it("Prometheus (a pod) reaches the metrics ports; pods never reach etcd's client and peer ports", () => {
      expect([10257, 10259, 10250, 10249, 2381, 2112].map((p) => probe(FROM.podNetwork, p))).toEqual(Array(6).fill("refused"));
      expect([2379, 2380].map((p) => probe(FROM.podNetwork, p))).toEqual(["timeout", "timeout"]);
    });

    it("one table of its own, policy accept, counting what it drops", () => {
      const listing = inNode("nft", "list", "ruleset");
      expect(listing.match(/^table /gm)).toEqual(["table "]);
      expect(listing).toContain(`table inet ${HOST_FIREWALL_TABLE}`);
      expect(listing).toMatch(/policy accept;/);
      expect(listing).toMatch(/counter packets [1-9]\d* bytes \d+ drop/);
    });
  });
});
