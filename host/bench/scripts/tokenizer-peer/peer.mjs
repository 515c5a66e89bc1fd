// Reference encoder for Roundhouse's tokenizer tests.
//
//   node peer.mjs encode bpe      tokenizer.json   cases.json   -> [{"ids": [...], "decoded": "..."}, ...]
//   node peer.mjs encode tiktoken cl100k_base.tiktoken cases.json
//   node peer.mjs write-tiktoken  cl100k_base|o200k_base OUT.tiktoken
//
// bpe uses Hugging Face tokenizers.js (no post-processor tokens added); tiktoken uses js-tiktoken on
// a rank file, with the split pattern and special tokens of the encoding named by the file name,
// encoding special-token text as ordinary text (tiktoken's encode_ordinary).
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { Tiktoken } from "js-tiktoken/lite";

const [cmd, ...args] = process.argv.slice(2);

async function ranksOf(name) {
  if (!["cl100k_base", "o200k_base"].includes(name)) {
    throw new Error(`unknown encoding ${name}`);
  }
  return (await import(`js-tiktoken/ranks/${name}`)).default;
}

// js-tiktoken's compact rank format: lines "! <offset> <base64> <base64> ..." (consecutive ranks).
function rankLines(bpeRanks) {
  const out = [];
  for (const line of bpeRanks.split("\n")) {
    if (!line) continue;
    const [, offsetStr, ...tokens] = line.split(" ");
    const offset = Number.parseInt(offsetStr, 10);
    tokens.forEach((t, i) => out.push(`${t} ${offset + i}`));
  }
  return out;
}

async function tiktokenFromFile(file) {
  const name = basename(file).replace(/\.tiktoken$/, "");
  const ranks = await ranksOf(name);
  const lines = readFileSync(file, "ascii").split("\n").filter(Boolean);
  // back into the compact format, one token per line
  const bpe_ranks = lines.map((l) => { const [t, r] = l.split(" "); return `! ${r} ${t}`; }).join("\n");
  return new Tiktoken({ pat_str: ranks.pat_str, special_tokens: ranks.special_tokens, bpe_ranks });
}

if (cmd === "write-tiktoken") {
  const [name, out] = args;
  const ranks = await ranksOf(name);
  writeFileSync(out, rankLines(ranks.bpe_ranks).join("\n") + "\n");
} else if (cmd === "encode") {
  const [kind, file, casesFile] = args;
  const cases = JSON.parse(readFileSync(casesFile, "utf8"));
  let encode, decode;
  if (kind === "bpe") {
    const tok = new Tokenizer(JSON.parse(readFileSync(file, "utf8")), {});
    encode = (s) => tok.encode(s, { add_special_tokens: false }).ids;
    decode = (ids) => (ids.length === 0 ? "" : tok.decode(ids, { clean_up_tokenization_spaces: false }));
  } else if (kind === "tiktoken") {
    const enc = await tiktokenFromFile(file);
    encode = (s) => enc.encode(s, [], []);
    decode = (ids) => enc.decode(ids);
  } else {
    throw new Error(`unknown kind ${kind}`);
  }
  const out = cases.map((s) => { const ids = encode(s); return { ids, decoded: decode(ids) }; });
  process.stdout.write(JSON.stringify(out));
} else {
  console.error("usage: node peer.mjs encode bpe|tiktoken FILE CASES.json | write-tiktoken NAME OUT");
  process.exit(2);
}
