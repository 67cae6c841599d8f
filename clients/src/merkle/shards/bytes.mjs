// The bytes of the proof shards (docs/proof-shards.md), shared by writeProofShards and the shard
// thread: plain JavaScript (types: bytes.d.mts) so the thread loads it without tsx.
import { AsciiChunks, ascii, BIG_MAX } from "../format/ascii.mjs";

const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const ENTRY_AMOUNT = ascii('":{"amount":"');
const ENTRY_PROOF = ascii('","proof":[');

/**
 * Each shard as [prefix, from, to): the leaves whose keys start with one prefix of `hexChars` hex
 * digits. Leaves are in byte order, so each shard is a contiguous run of leaves.
 */
export function* shardRanges(claimants, size, hexChars) {
  const shift = 32 - 4 * hexChars;
  const prefixOf = (i) =>
    ((claimants[i * 32] << 24) | (claimants[i * 32 + 1] << 16) | (claimants[i * 32 + 2] << 8) | claimants[i * 32 + 3]) >>> shift;
  for (let i = 0; i < size; ) {
    const p = prefixOf(i);
    const from = i;
    while (i < size && prefixOf(i) === p) i++;
    yield [p.toString(16).padStart(hexChars, "0"), from, i];
  }
}

/**
 * The bytes of one shard: leaves [from, to) of `t` with each proof as indices into the shard's
 * `nodes`. Neighbouring leaves share most siblings, so every distinct sibling is written once: at
 * 1M wallets that is ~5x less to write and to download than 20 hex hashes an entry. At level k the
 * sibling of leaf i is node (i >> k) ^ 1, which runs unchanged over consecutive leaves and never
 * comes back, so remembering the last sibling of each level is an exact de-duplication. Written
 * straight into one Buffer (compact JSON: no strings to build and join per entry): `into` when it
 * is large enough (a caller writing shard after shard reuses one), else a new one. `text`: leaf
 * i's claimant in base58, when the caller has it (else it is encoded from the key's bytes): a
 * function of the leaf, or texts (key-texts.mjs) with the slot of each leaf.
 */
export function shardBytes(t, head, prefix, from, to, text, into) {
  const { counts, offsets, nodes: levels, depth } = t;
  const lastAt = new Array(depth).fill(-1);
  const lastIndex = new Array(depth).fill(-1);
  const siblings = [];
  const proofs = new Int32Array((to - from) * depth);
  const lengths = new Uint8Array(to - from);
  for (let leaf = from; leaf < to; leaf++) {
    let len = 0;
    const at0 = (leaf - from) * depth;
    for (let k = 0, i = leaf; k < depth; k++, i >>= 1) {
      const sibling = i ^ 1;
      if (sibling >= counts[k]) continue;
      const at = offsets[k] + sibling * 32;
      if (lastAt[k] !== at) {
        lastAt[k] = at;
        lastIndex[k] = siblings.length;
        siblings.push(at);
      }
      proofs[at0 + len++] = lastIndex[k];
    }
    lengths[leaf - from] = len;
  }
  // the most each part can take: a sibling 67 bytes, an entry its key, amount and indices
  const size = head.length + prefix.length + 40 + siblings.length * 67 + (to - from) * (44 + 40 + BIG_MAX + depth * 11);
  const w = new AsciiChunks(size, into);
  w.str(head);
  w.str(`,"prefix":"${prefix}","nodes":[`);
  for (let j = 0; j < siblings.length; j++) {
    if (j > 0) w.byte(COMMA);
    w.byte(QUOTE);
    w.hex(levels, siblings[j], siblings[j] + 32);
    w.byte(QUOTE);
  }
  w.str('],"entries":{');
  const { amounts, claimants } = t;
  for (let leaf = from; leaf < to; leaf++) {
    if (leaf > from) w.byte(COMMA);
    w.byte(QUOTE);
    if (text === undefined) w.key58(claimants, leaf * 32);
    else if (typeof text === "function") w.str(text(leaf));
    else w.keyText(text.texts, text.of[leaf]);
    w.raw(ENTRY_AMOUNT);
    w.big(amounts[leaf]);
    w.raw(ENTRY_PROOF);
    const at0 = (leaf - from) * depth;
    for (let j = 0; j < lengths[leaf - from]; j++) {
      if (j > 0) w.byte(COMMA);
      w.uint(proofs[at0 + j]);
    }
    w.byte(CLOSE_ARRAY);
    w.byte(CLOSE_OBJECT);
  }
  w.str("}}\n");
  return w.written();
}
