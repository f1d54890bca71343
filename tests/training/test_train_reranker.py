"""The reranker's training script: it runs from the command line, and what it exports serves."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.reranker import Reranker

pytestmark = pytest.mark.integration  # the real model or a real server

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "training" / "train_reranker.py"


def test_the_script_runs_from_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    )
    assert "--layers" in done.stdout and "--sources" in done.stdout


def test_a_short_run_exports_a_model_the_reranker_serves_and_teaches(tmp_path: Path) -> None:
    from index.export import model_bytes
    from training import train_reranker
    from training.data import Pair
    from training.export_reranker import export, module_from_onnx

    question, title = "Who will coach Lleyton Hewitt?", "Hewitt's new coach"
    sentence = "Jason Stoltenberg will coach Lleyton Hewitt next season."
    pairs = [
        Pair(question, sentence, title, "", 1, (0, 17), "rules"),
        Pair(question, "Rain stopped play on Monday.", title, "", 0, None, "rules-negative"),
    ] * 4
    model = train_reranker._fit(pairs, epochs=1, seed=1, layers=1, batch_size=4)
    assert len(model.bert.encoder.layer) == 1  # type: ignore[attr-defined]
    path = tmp_path / "reranker.onnx"
    agreement = export(model, path)
    # One layer of six: the int8 embeddings and little more, in a weights file beside the graph.
    assert path.with_name("reranker.onnx.data").exists()
    assert model_bytes(path) < 16_000_000
    assert agreement < 1.0
    assert {"QAttention", "QEmbedLayerNormalization"} <= _operators(path)
    [judgement] = Reranker(path).judge(question, [(sentence, title, "")])
    assert math.isfinite(judgement.relevance)
    assert [a for a, _, _ in judgement.starts][:2] == [0, 6]  # the sentence's own tokens

    # The exported model as a teacher: its reading of every pair, token by token.
    readings = train_reranker._teacher_readings(pairs, path)
    assert readings.keys() == set(pairs)
    relevance, starts, ends = readings[pairs[0]]
    assert math.isfinite(relevance) and len(starts) == len(ends) > len(sentence.split())
    student = train_reranker._fit(pairs, epochs=1, seed=1, layers=1, teacher=readings, batch_size=4)
    assert len(student.bert.encoder.layer) == 1  # type: ignore[attr-defined]

    # Its weights read back out of the file and exported again: the same model, read the same way.
    again = tmp_path / "again" / "reranker.onnx"
    again.parent.mkdir()
    export(module_from_onnx(path), again)
    [reread] = Reranker(again).judge(question, [(sentence, title, "")])
    assert abs(reread.relevance - judgement.relevance) < 0.1
    assert [a for a, _, _ in reread.starts] == [a for a, _, _ in judgement.starts]


def test_re_exporting_refuses_a_file_that_is_no_reranker(tmp_path: Path) -> None:
    from training.export_reranker import module_from_onnx

    encoder = tmp_path / "encoder.onnx"
    _tiny_graph(encoder)
    with pytest.raises(ValueError, match="is not a reranker export"):
        module_from_onnx(encoder)


def _operators(path: Path) -> set[str]:
    import onnx

    return {node.op_type for node in onnx.load(str(path)).graph.node}


def _tiny_graph(path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "relu", [x], [y])
    onnx.save(helper.make_model(graph), str(path))


def test_the_shipped_reranker_reads_back_into_the_module() -> None:
    import torch
    from tokenizers import Tokenizer

    from assistant.reranker import pair_text, sentence_mask
    from index.encoder import packaged_tokenizer
    from training.export_reranker import module_from_onnx

    model = module_from_onnx(ROOT / "assistant" / "models" / "reranker.onnx")
    assert len(model.bert.encoder.layer) == 6
    question = "How much did it cost to train DeepSeek's model?"
    tokenizer = Tokenizer.from_file(str(packaged_tokenizer()))
    candidates = [
        ("DeepSeek said it spent $6 million to train the model.", "DeepSeek", ""),
        ("Rain stopped play on Monday in Sydney.", "Cricket", "The match began late."),
    ]
    readings = []
    for candidate in candidates:
        encoding = tokenizer.encode(question, pair_text(*candidate))
        inputs = [
            torch.tensor([row])
            for row in (encoding.ids, encoding.attention_mask, encoding.type_ids)
        ]
        mask = torch.tensor(sentence_mask([encoding], [len(candidate[0])]))
        with torch.no_grad():
            readings.append(float(model(*inputs, mask)[0][0]))
    served = [j.relevance for j in Reranker().judge(question, candidates)]
    # The weights in fp32 read what their int8 file reads, up to the quantization's noise.
    assert served[0] > 0 > served[1]
    assert all(abs(a - b) < 0.5 for a, b in zip(readings, served)), (readings, served)


def test_each_source_of_questions_reads_with_answers_inside_their_sentences() -> None:
    from training.data import KNOWN_SOURCES, articles, questions

    corpus = articles()
    for source in KNOWN_SOURCES:
        asked = questions([source], corpus, seed=13)
        assert asked and {q.source for q in asked} == {source}
        for q in asked:
            sentences = corpus[q.article].sentences
            assert all(1 <= n <= len(sentences) for n in q.answers), q
            if q.answers and q.short and source != "qwen":  # the model's own words may differ
                said = " ".join(sentences[n - 1].text for n in q.answers)
                assert any(short in said for short in q.short), q


def test_an_unknown_source_is_refused_by_name() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--sources", "rules,qwn"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "rules, qwen, annotated, second-reader" in done.stderr.splitlines()[-1]
