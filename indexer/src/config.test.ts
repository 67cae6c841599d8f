import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Keypair } from "@solana/web3.js";
import { configFlag, configPath, readConfigFile } from "./config.js";
import { conversionSettings, ingestSettings, loadEnv, parseEnv } from "./env.js";
import { MeritError } from "./errors.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

describe("config: merit.config.toml under the environment", () => {
  let dir = "";
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "merit-config-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `text` as dir/merit.config.toml and loads it under `envVars`. */
  const load = (text: string, envVars: Record<string, string> = {}) => {
    writeFileSync(join(dir, "merit.config.toml"), text);
    return loadEnv({ MERIT_CONFIG: join(dir, "merit.config.toml"), ...envVars });
  };
  const refusal = (text: string, envVars: Record<string, string> = {}): string => {
    try {
      load(text, envVars);
    } catch (err) {
      assert.ok(err instanceof MeritError && err.code === "bad_env", `not a bad_env error: ${String(err)}`);
      return err.message;
    }
    assert.fail("accepted");
  };

  it("given a bad value in the file, then the refusal names the file and the key as written there", () => {
    const msg = refusal('[api]\nport = "eighty"\n');
    assert.match(msg, /merit\.config\.toml: api\.port: expected a port number$/m);
    assert.match(refusal("[api]\nport = 70000\n"), /merit\.config\.toml: api\.port: expected a port number$/m);
    assert.match(
      refusal('[distributor]\naddress = "not-an-address"\n'),
      /merit\.config\.toml: distributor\.address: expected a base58 address/,
    );
  });

  it("given a misspelled key or section, then it is refused naming the nearest key the file accepts", () => {
    const msg = refusal('[api]\nprot = 8080\n[databse]\nurl = "postgres://x@h/db"\n');
    assert.match(msg, /merit\.config\.toml: api\.prot: not a merit setting \(did you mean api\.port\?\)/);
    assert.match(msg, /merit\.config\.toml: databse\.url: not a merit setting \(did you mean database\.url\?\)/);
  });

  it("given a file that is not TOML, then it says where", () => {
    assert.match(refusal("[api\nport = 1\n"), /merit\.config\.toml: not valid TOML \(line 1/);
  });

  it("given a key in the file and its variable in the environment, then the environment wins, even over a bad file value", () => {
    assert.equal(load("[api]\nport = 9000\n").API_PORT, 9000);
    assert.equal(load("[api]\nport = 9000\n", { API_PORT: "9100" }).API_PORT, 9100);
    assert.equal(load('[api]\nport = "eighty"\n', { API_PORT: "9100" }).API_PORT, 9100);
    // a bad value from the environment is named by its variable, as before
    assert.match(refusal("[api]\nport = 9000\n", { API_PORT: "x" }), /^ {2}API_PORT: expected a port number$/m);
  });

  it("given rpc.urls, then the first is RPC_URL and the rest are the fallbacks ingest gets", () => {
    const e = load('[rpc]\nurls = ["https://a.example", "https://b.example"]\n[watch]\nmints = ["m1", "m2"]\n');
    assert.equal(e.RPC_URL, "https://a.example");
    assert.deepEqual(e.RPC_FALLBACK_URLS, ["https://b.example"]);
    assert.deepEqual(e.WATCH_MINTS, ["m1", "m2"]);
    assert.deepEqual(ingestSettings(e).rpc.fallbackUrls, ["https://b.example"]);
    assert.match(
      refusal('[rpc]\nurls = ["https://a.example", "nope"]\n[watch]\nmints = ["m"]\n'),
      /merit\.config\.toml: rpc\.urls: expected a comma-separated list of URLs/,
    );
    // a cross-field rule names the file's key too
    assert.match(
      refusal('[rpc]\nurls = ["https://a.example"]\n'),
      /merit\.config\.toml: rpc\.urls: RPC_URL needs at least one of WATCH_MINTS/,
    );
  });

  it("given a relative key file path, then it is resolved beside the config file; conversion and big integers keep every digit", () => {
    const e = load(
      '[distributor]\npublisher_keypair = "keys/publisher.json"\n[epochs]\nconversion = "budget"\nbudget_per_epoch = 123456789012345678901\n',
    );
    assert.equal(e.PUBLISHER_KEYPAIR, join(dir, "keys", "publisher.json"));
    assert.deepEqual(conversionSettings(e), { mode: "budget", budgetPerEpoch: "123456789012345678901" });
    assert.match(
      refusal('[epochs]\nconversion = "budget"\n'),
      /merit\.config\.toml: epochs\.conversion: the budget conversion needs EPOCH_BUDGET_PER_EPOCH/,
    );
  });

  it("given --config, MERIT_CONFIG and ./merit.config.toml, then they are taken in that order, and a named file that is missing is refused", () => {
    writeFileSync(join(dir, "merit.config.toml"), "");
    assert.equal(configFlag(["node", "main.ts", "--config", "a.toml"]), "a.toml");
    assert.equal(configFlag(["merit", "start", "--config=b.toml"]), "b.toml");
    assert.equal(configFlag(["merit", "start"]), undefined);
    assert.equal(configPath("/etc/passwd", "/x.toml", dir), "/etc/passwd");
    assert.equal(configPath(undefined, "/etc/passwd", dir), "/etc/passwd");
    assert.equal(configPath(undefined, undefined, dir), "merit.config.toml");
    assert.equal(configPath(undefined, undefined, tmpdir()), undefined);
    assert.throws(() => configPath("/no/such.toml", undefined, dir), /--config \/no\/such\.toml: no such file/);
    assert.throws(() => configPath(undefined, "/no/such.toml", dir), /MERIT_CONFIG \/no\/such\.toml: no such file/);
  });

  it("given no file at all, then the environment alone is read as before", () => {
    assert.deepEqual(loadEnv({ API_PORT: "1234" }, []).API_PORT, 1234);
    assert.deepEqual(parseEnv({}).API_PORT, 8787);
  });

  for (const example of ["devnet", "mainnet"]) {
    it(`given config/${example}.example.toml, when its placeholders are filled, then it parses and validates; unfilled, it is refused naming a key`, () => {
      const text = readFileSync(join(REPO, "config", `${example}.example.toml`), "utf8");
      assert.match(refusal(text), /merit\.config\.toml: distributor\.address: expected a base58 address/);
      const address = Keypair.generate().publicKey.toBase58();
      const filled = text.replace(/<([^>]*)>/g, (_, what: string) => (/address/.test(what) ? address : "x".repeat(32)));
      const e = load(filled);
      assert.equal(e.DISTRIBUTOR_ADDRESS, address);
      assert.ok(e.RPC_URL?.startsWith("https://"));
      assert.equal(e.API_PORT, 8787);
      assert.ok(e.WATCH_MINTS.length > 0 && e.EPOCH_SCHEDULE);
      assert.ok(readConfigFile(join(dir, "merit.config.toml")).keyOf.PUBLISHER_KEYPAIR);
    });
  }
});
