import { bootstrapScript } from "../../lib/cluster/bootstrap-script";

// bash -n and shellcheck on the script: __tests__/behaviour/cluster/shellcheck.test.ts.
describe("node bootstrap script", () => {
  // What it does (init, joins in order, stale etcd members, refusals, bounds, secrets) is proven by
  // running it: __tests__/behaviour/bootstrap.test.ts. Here only what no run can show: no way around TLS.
  test("never skips certificate verification", () => {
    const s = bootstrapScript();
    expect(s).toContain('--cacert "$CA"');
    expect(s).not.toMatch(/curl[^\n]* -k |--insecure|unsafeSkipCAVerification|CERT_NONE|check_hostname = False/);
  });
});
