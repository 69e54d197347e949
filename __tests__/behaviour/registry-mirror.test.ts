/**
 * Image pulls through the registry mirror with the real containerd (Debian's 1.6): for the hosts.toml
 * files every environment's cloud-config writes (from the synthesized stacks) AND the ones the node
 * image build writes (packer/files/containerd/install.sh), an image of every mirrored registry is
 * pulled by its upstream name with `ctr images pull --hosts-dir` (the same hosts.toml code CRI uses)
 * and must reach `/v2/<pathPrefix>/<registry>/<repo>/manifests/<tag>` on the mirror.
 *
 * The mirror is a loopback HTTPS registry (recording-registry.ts) with a certificate from a test CA;
 * the only rewrite is the mirror host -> 127.0.0.1:<port>. The environments here set no
 * `registryMirror.caPem` (the site CA is in the system trust store: image 00-ca-trust.sh), so the
 * test CA is given with --tlscacert, standing in for that store; one test sets caPem and proves the
 * hosts.toml `ca` field alone (CA file path rewritten to the test's copy). HTTPS_PROXY points at a refusing trap, so a fallback to the upstream
 * registry (what containerd does when the mirror fails) is recorded instead of leaving the machine.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIRRORED_REGISTRIES } from "../../lib/cluster/mirror";
import { prod } from "../../stacks/prod";
import { site } from "../../stacks/site";
import { synthEnvironments } from "../helpers/synth";
import { describeWithTool } from "../tools";
import { startContainerd, type ContainerdDaemon } from "./containerd-daemon";
import { cloudConfigContainerdFiles, type ContainerdFiles, packerContainerdFiles } from "./containerd-files";
import { type EscapeTrap, type RecordingRegistry, startEscapeTrap, startRecordingRegistry } from "./recording-registry";
import { makeTestCa, type TestCa } from "./test-ca";

jest.setTimeout(180_000);

/** One image per mirrored registry, by its upstream name: `<registry>/<repo>:<tag>`. */
const IMAGES: Readonly<Record<string, { repo: string; tag: string }>> = {
  "docker.io": { repo: "library/busybox", tag: "1.37" },
  "registry.k8s.io": { repo: "pause", tag: "3.10.1" },
  "quay.io": { repo: "prometheus/node-exporter", tag: "v1.9.1" },
  "ghcr.io": { repo: "kube-vip/kube-vip", tag: "v1.0.4" },
  "gcr.io": { repo: "distroless/static", tag: "nonroot" },
  "registry.gitlab.com": { repo: "gitlab-org/gitlab-runner", tag: "alpine" },
  "public.ecr.aws": { repo: "docker/library/redis", tag: "7" },
};

const PREFIX = site.registryMirror.pathPrefix;

/** Whose hosts.toml files are tested: each environment's cloud-config and the image build's. */
const SETS = ["cloud-config sandbox", "cloud-config dev", "cloud-config prod", "node image", "node image, no path prefix"] as const;

/** Writes the hosts.toml files of a set into a fresh certs.d, the mirror host pointed at loopback. */
function certsDir(files: ContainerdFiles, mirrorHost: string, port: number): string {
  const dir = mkdtempSync(join(tmpdir(), "certs.d-"));
  for (const [path, content] of files) {
    const m = /^\/etc\/containerd\/certs\.d\/([^/]+)\/hosts\.toml$/.exec(path);
    if (!m) continue;
    mkdirSync(join(dir, m[1]));
    writeFileSync(join(dir, m[1], "hosts.toml"), content.split(mirrorHost).join(`127.0.0.1:${port}`));
  }
  return dir;
}

describeWithTool("containerd")("pulls through the registry mirror with real containerd + ctr (hosts.toml)", () => {
  let ca: TestCa;
  let mirror: RecordingRegistry;
  let trap: EscapeTrap;
  let containerd: ContainerdDaemon;
  const sets = new Map<string, { files: ContainerdFiles; prefix: string; mirrorHost: string }>();

  /** Pulls `image` with the hosts.toml of `certsD`; returns ctr's status/output and the mirror's requests. */
  async function pull(certsD: string, image: string, trust: "test CA as system trust" | "hosts.toml only" = "test CA as system trust"): Promise<{ status: number | null; output: string; requests: string[]; escapes: string[] }> {
    mirror.requests.length = 0;
    trap.escapes.length = 0;
    const proxy = { HTTPS_PROXY: trap.url, HTTP_PROXY: trap.url, NO_PROXY: "", https_proxy: trap.url, http_proxy: trap.url, no_proxy: "" };
    const tls = trust === "test CA as system trust" ? ["--tlscacert", ca.caFile] : [];
    const r = await containerd.ctr(["images", "pull", "--snapshotter", "native", ...tls, "--hosts-dir", certsD, image], proxy);
    return { ...r, requests: [...mirror.requests], escapes: [...trap.escapes] };
  }

  beforeAll(async () => {
    ca = makeTestCa();
    mirror = await startRecordingRegistry(ca);
    trap = await startEscapeTrap();
    const { outdir } = synthEnvironments();
    const cloudConfigs = cloudConfigContainerdFiles(outdir);
    for (const [env, files] of cloudConfigs) sets.set(`cloud-config ${env}`, { files, prefix: PREFIX, mirrorHost: site.registryMirror.host });
    // The image build: the mirror comes from its Packer variables (here: the loopback mirror itself).
    const loopback = `127.0.0.1:${mirror.port}`;
    sets.set("node image", { files: packerContainerdFiles({ host: loopback, pathPrefix: PREFIX }), prefix: PREFIX, mirrorHost: loopback });
    sets.set("node image, no path prefix", { files: packerContainerdFiles({ host: loopback }), prefix: "", mirrorHost: loopback });
    // The daemon runs with prod's generated config.toml, only config_path moved to a temp certs.d.
    const prodConfig = cloudConfigs.get("prod")!.get("/etc/containerd/config.toml")!;
    const ownCertsD = certsDir(cloudConfigs.get("prod")!, site.registryMirror.host, mirror.port);
    containerd = await startContainerd(prodConfig.replace(`config_path = "/etc/containerd/certs.d"`, `config_path = "${ownCertsD}"`));
  });

  afterAll(async () => {
    await containerd?.stop();
    await mirror?.close();
    await trap?.close();
  });

  test("there is a test image for every mirrored registry, and a hosts.toml for each in every set", () => {
    expect(Object.keys(IMAGES).sort()).toEqual([...MIRRORED_REGISTRIES].sort());
    expect([...sets.keys()].sort()).toEqual([...SETS].sort());
    for (const [name, { files }] of sets) {
      const registries = [...files.keys()].map((p) => /certs\.d\/([^/]+)\/hosts\.toml$/.exec(p)?.[1]).filter(Boolean);
      expect({ set: name, registries: registries.sort() }).toEqual({ set: name, registries: [...MIRRORED_REGISTRIES].sort() });
    }
  });

  test("the daemon runs with prod's generated config.toml: its CRI plugin (what kubelet talks to) loaded", async () => {
    const plugins = (await containerd.ctr(["plugins", "ls"])).output;
    expect(plugins).toMatch(/^io\.containerd\.grpc\.v1\s+cri\s+\S+\s+ok\s*$/m);
  });

  test.each(SETS)(
    "%s: every registry's image is pulled from /v2/<pathPrefix>/<registry>/<repo>/manifests/<tag>",
    async (name) => {
      const { files, prefix, mirrorHost } = sets.get(name)!;
      const certsD = certsDir(files, mirrorHost, mirror.port);
      for (const registry of MIRRORED_REGISTRIES) {
        const { repo, tag } = IMAGES[registry];
        const image = `${registry}/${repo}:${tag}`;
        const result = await pull(certsD, image);
        const repoRoot = `/v2/${prefix === "" ? "" : `${prefix}/`}${registry}/${repo}/`;
        const paths = result.requests.map((r) => r.split(" ")[1].split("?")[0]);
        expect({ image, status: result.status, escapes: result.escapes }).toEqual({ image, status: 0, escapes: [] });
        expect({ image, paths }).toEqual({ image, paths: expect.arrayContaining([`${repoRoot}manifests/${tag}`]) });
        for (const path of paths) expect({ image, path: path.startsWith(repoRoot) }).toEqual({ image, path: true });
      }
      expect((await containerd.ctr(["images", "ls", "-q"])).output).toContain("registry.k8s.io/pause:3.10.1");
    },
  );

  test("a mirror with its own CA (registryMirror.caPem): the cloud-config's ca.crt and hosts.toml `ca` alone make containerd trust it", async () => {
    const withCa = { ...prod, registryMirror: { ...site.registryMirror, caPem: readFileSync(ca.caFile, "utf8") } };
    const files = cloudConfigContainerdFiles(synthEnvironments([withCa]).outdir).get("prod")!;
    const caPath = `/etc/containerd/certs.d/${site.registryMirror.host}/ca.crt`;
    expect(files.get(caPath)).toBe(withCa.registryMirror.caPem);
    // Test-only rewrite: the node path of the CA file -> where this test wrote the cloud-config's copy.
    const caCopy = join(mkdtempSync(join(tmpdir(), "mirror-ca-")), "ca.crt");
    writeFileSync(caCopy, files.get(caPath)!);
    const hosts = new Map([...files].map(([path, content]) => [path, content.split(`ca = "${caPath}"`).join(`ca = "${caCopy}"`)]));
    const certsD = certsDir(hosts, site.registryMirror.host, mirror.port);
    const result = await pull(certsD, "quay.io/prometheus/node-exporter:v1.9.1", "hosts.toml only");
    expect({ status: result.status, escapes: result.escapes }).toEqual({ status: 0, escapes: [] });
    expect(result.requests.map((r) => r.split(" ")[1].split("?")[0])).toContain(`/v2/${PREFIX}/quay.io/prometheus/node-exporter/manifests/v1.9.1`);
    // Control: without the `ca` line the same pull fails on the certificate (nothing else trusts the test CA).
    const withoutCa = new Map([...hosts].map(([path, content]) => [path, content.replace(/^\s*ca = .*\n/m, "")]));
    const untrusted = await pull(certsDir(withoutCa, site.registryMirror.host, mirror.port), "quay.io/prometheus/node-exporter:v1.9.1", "hosts.toml only");
    expect(untrusted.status).not.toBe(0);
    expect(untrusted.output).toMatch(/certificate/);
  });

  test("control: the old layout <host>/<prefix>/<registry> (containerd appends /v2) misses the mirror and falls back upstream", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certs.d-old-"));
    mkdirSync(join(dir, "registry.k8s.io"));
    writeFileSync(
      join(dir, "registry.k8s.io", "hosts.toml"),
      `server = "https://registry.k8s.io"\n\n[host."https://127.0.0.1:${mirror.port}/${PREFIX}/registry.k8s.io"]\n  capabilities = ["pull", "resolve"]\n`,
    );
    const result = await pull(dir, "registry.k8s.io/pause:3.10.1");
    expect(result.status).not.toBe(0);
    expect(result.requests.map((r) => r.split(" ")[1].split("?")[0])).not.toContain(`/v2/${PREFIX}/registry.k8s.io/pause/manifests/3.10.1`);
    expect(result.escapes).toEqual(["registry.k8s.io:443"]);
  });
});
