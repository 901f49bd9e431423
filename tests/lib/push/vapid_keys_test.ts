/**
 * lib/push/vapid_keys.ts: keys from the environment are checked as a pair; the embedded
 * mode generates one pair under DATA_DIR and keeps it; with DATABASE_URL (no data dir)
 * and no keys, push is off and nothing is written.
 */
import { createECDH } from "node:crypto";
import { decodeBase64Url } from "@/lib/base64url.ts";
import { ConfigError } from "@/lib/config.ts";
import { generateVapidKeys, resolveVapidKeys, VAPID_KEYS_FILE, vapidSubjectProblem } from "@/lib/push/vapid_keys.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";

const DEFAULT_SUBJECT = "mailto:reminders@example.com";

async function configError(fn: () => Promise<unknown>): Promise<string> {
  const error = await assertRejects(fn);
  assert(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
  return error.message;
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("keys from the environment win, even in embedded mode, and nothing is written", async () => {
  await withTempDir(async (dir) => {
    const pair = generateVapidKeys();
    const result = await resolveVapidKeys(
      { ...pair, subject: "https://grid.example.com/contact" },
      { dataDir: dir, defaultSubject: DEFAULT_SUBJECT },
    );
    assertEquals(result, { keys: { ...pair, subject: "https://grid.example.com/contact" }, source: "environment" });
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("environment keys that are incomplete, malformed or not one pair are refused, naming the variable", async () => {
  const pair = generateVapidKeys();
  const other = generateVapidKeys();
  const storage = { dataDir: undefined, defaultSubject: DEFAULT_SUBJECT };
  const subject = "mailto:ops@example.com";
  const cases: [Parameters<typeof resolveVapidKeys>[0], RegExp][] = [
    [{ publicKey: pair.publicKey, subject }, /^VAPID_PRIVATE_KEY must be set too/],
    [{ privateKey: pair.privateKey, subject }, /^VAPID_PUBLIC_KEY must be set too/],
    [{ ...pair }, /^VAPID_SUBJECT must be set with the VAPID keys/],
    [{ ...pair, publicKey: pair.publicKey + "=", subject }, /^VAPID_PUBLIC_KEY must be an uncompressed P-256/],
    [{ ...pair, publicKey: pair.publicKey.slice(0, 40), subject }, /^VAPID_PUBLIC_KEY must be/],
    [{ ...pair, privateKey: "not base64!", subject }, /^VAPID_PRIVATE_KEY must be a P-256 private key/],
    [{ ...pair, privateKey: "A".repeat(43), subject }, /^VAPID_PRIVATE_KEY is not a valid P-256 private key/],
    [
      { publicKey: pair.publicKey, privateKey: other.privateKey, subject },
      /is not the public key of VAPID_PRIVATE_KEY/,
    ],
    [{ ...pair, subject: "http://example.com" }, /^VAPID_SUBJECT must be a mailto: address or an https: URL/],
    [{ ...pair, subject: "https://localhost:8000" }, /^VAPID_SUBJECT must not be a localhost URL/],
    [{ ...pair, subject: "mailto:nobody" }, /^VAPID_SUBJECT must be a mailto: address/],
  ];
  for (const [settings, message] of cases) {
    assertMatch(await configError(() => resolveVapidKeys(settings, storage)), message);
  }
});

Deno.test("with DATABASE_URL and no keys, push is off with a reason; a lone VAPID_SUBJECT is a mistake", async () => {
  const off = await resolveVapidKeys({}, { dataDir: undefined, defaultSubject: DEFAULT_SUBJECT });
  assert(off.keys === null);
  assertMatch(off.reason, /push reminders are off/);
  assertMatch(
    await configError(() =>
      resolveVapidKeys({ subject: "mailto:ops@example.com" }, { dataDir: undefined, defaultSubject: DEFAULT_SUBJECT })
    ),
    /VAPID_SUBJECT is set but VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are not/,
  );
});

Deno.test("embedded mode generates one valid pair under DATA_DIR (0600) and keeps it across restarts", async () => {
  await withTempDir(async (dir) => {
    const first = await resolveVapidKeys({}, { dataDir: dir, defaultSubject: DEFAULT_SUBJECT });
    assert(first.keys !== null);
    assertEquals(first.source, "data_dir");
    assertEquals(first.keys.subject, DEFAULT_SUBJECT);
    assertEquals((await Deno.stat(`${dir}/${VAPID_KEYS_FILE}`)).mode! & 0o777, 0o600);

    const again = await resolveVapidKeys(
      { subject: "mailto:ops@example.com" },
      { dataDir: dir, defaultSubject: DEFAULT_SUBJECT },
    );
    assertEquals(again, { keys: { ...first.keys, subject: "mailto:ops@example.com" }, source: "data_dir" });
    // The file holds the pair only: the subject is configuration and may change.
    const stored = JSON.parse(await Deno.readTextFile(`${dir}/${VAPID_KEYS_FILE}`));
    assertEquals(stored, { publicKey: first.keys.publicKey, privateKey: first.keys.privateKey });
  });
});

Deno.test("concurrent first starts on one DATA_DIR end with one pair", async () => {
  await withTempDir(async (dir) => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => resolveVapidKeys({}, { dataDir: dir, defaultSubject: DEFAULT_SUBJECT })),
    );
    assertEquals(new Set(results.map((result) => result.keys?.publicKey)).size, 1);
  });
});

Deno.test("a damaged key file is refused with what to do, never silently replaced", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/${VAPID_KEYS_FILE}`;
    for (
      const content of [
        "",
        "{not json",
        '{"publicKey": 1}',
        JSON.stringify({ ...generateVapidKeys(), privateKey: generateVapidKeys().privateKey }),
      ]
    ) {
      await Deno.writeTextFile(path, content);
      const message = await configError(() => resolveVapidKeys({}, { dataDir: dir, defaultSubject: DEFAULT_SUBJECT }));
      assertMatch(message, new RegExp(path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")));
      assertEquals(await Deno.readTextFile(path), content, "left as it was");
    }
  });
});

Deno.test("vapidSubjectProblem accepts mailto: addresses and public https: URLs only", () => {
  for (const ok of ["mailto:ops@example.com", "https://example.com", "https://example.com/contact?x=1"]) {
    assertEquals(vapidSubjectProblem(ok), undefined, ok);
  }
  for (
    const bad of [
      "",
      "ops@example.com",
      "mailto:",
      "mailto:a@b@c",
      "http://example.com",
      "ftp://x",
      "https://localhost",
      "https://a.localhost/",
    ]
  ) {
    assert(vapidSubjectProblem(bad) !== undefined, bad);
  }
});

Deno.test("generated pairs are web-push's shape: a 65-byte point, a 32-byte scalar padded with zeros, one pair", () => {
  // 512 pairs: a scalar with a leading zero byte (1 in 256) comes up with probability ~0.87.
  for (let i = 0; i < 512; i++) {
    const pair = generateVapidKeys();
    const publicBytes = decodeBase64Url(pair.publicKey)!;
    const privateBytes = decodeBase64Url(pair.privateKey)!;
    assertEquals([publicBytes.length, publicBytes[0], privateBytes.length], [65, 4, 32], JSON.stringify(pair));
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(privateBytes);
    assertEquals(new Uint8Array(ecdh.getPublicKey()), publicBytes);
  }
});
