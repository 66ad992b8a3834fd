"""Contract between the exported TorchScript model and Triton's config.pbtxt.

Exports a network (untrained: CIFAR-10 cannot be downloaded in CI), loads it the way Triton's PyTorch
backend does (torch.jit.load), and checks that it accepts and returns exactly what config.pbtxt declares.
"""
import os
import subprocess
import sys

import pytest
import torch

from pbtxt import parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL_DIR = os.path.join(ROOT, "model")
REPOSITORY = os.path.join(MODEL_DIR, "cifar10-model")
MODEL_NAME = "cifar10-pytorch"

TRITON_TO_TORCH = {"TYPE_UINT8": torch.uint8, "TYPE_FP32": torch.float32}


def run_script(script, *args):
    return subprocess.run([sys.executable, os.path.join(MODEL_DIR, script), *args],
                          cwd=MODEL_DIR, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def config():
    with open(os.path.join(REPOSITORY, MODEL_NAME, "config.pbtxt")) as f:
        return parse(f.read())


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "model.ts"
    result = run_script("export_to_ts.py", "--random-init", "--output", str(out))
    return result, out


@pytest.fixture(scope="module")
def model(export):
    result, out = export
    assert result.returncode == 0, result.stderr
    return torch.jit.load(str(out))


def images(n, height=32, width=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, height, width), dtype=torch.uint8, generator=g)


def check_probabilities(probs, n):
    assert tuple(probs.shape) == (n, 10)
    assert probs.dtype == torch.float32
    assert torch.all(probs >= 0)
    assert torch.allclose(probs.sum(dim=1), torch.ones(n), atol=1e-5)


def test_random_init_export_says_loudly_that_it_is_untrained(export):
    result, out = export
    assert result.returncode == 0, result.stderr
    assert "WARNING: UNTRAINED MODEL" in result.stderr
    assert "UNTRAINED" in result.stdout
    assert out.stat().st_size > 0


@pytest.mark.parametrize("n", [1, 4])
def test_batches_of_32x32_uint8_images_give_probabilities(model, n):
    with torch.no_grad():
        check_probabilities(model(images(n)), n)


def test_images_of_another_size_are_resized(model):
    with torch.no_grad():
        check_probabilities(model(images(2, height=64, width=48)), 2)
        check_probabilities(model(images(1, height=17, width=100)), 1)


def test_resize_has_no_antialias_and_normalises_like_training(model):
    # The served pipeline, written out by hand on the model's own network: uint8 -> [0,1] -> bilinear
    # resize without antialias -> (x - 0.5) / 0.5 -> softmax.
    import torch.nn.functional as F
    x = images(3, height=64, width=64, seed=3)

    def by_hand(antialias):
        scaled = F.interpolate(x.float() / 255.0, size=[32, 32], mode="bilinear", align_corners=False,
                               antialias=antialias)
        return torch.softmax(model.net((scaled - 0.5) / 0.5), dim=1)

    with torch.no_grad():
        assert torch.allclose(model(x), by_hand(antialias=False), atol=1e-6)
        assert not torch.allclose(model(x), by_hand(antialias=True), atol=1e-6)


def test_config_declares_the_tutorial_tensor_names_and_types(config):
    assert config["name"] == MODEL_NAME
    assert config["platform"] == "pytorch_libtorch"
    assert config["default_model_filename"] == "model.ts"
    (inp,) = config["input"]
    (out,) = config["output"]
    assert (inp["name"], inp["data_type"]) == ("image__0", "TYPE_UINT8")
    assert (out["name"], out["data_type"]) == ("probs__0", "TYPE_FP32")


def test_config_batches_with_dims_without_the_batch_dimension(config):
    assert config["max_batch_size"] >= 4
    assert config["input"][0]["dims"] == [3, -1, -1]
    assert config["output"][0]["dims"] == [10]
    assert 0 < config["dynamic_batching"]["max_queue_delay_microseconds"] <= 10_000
    groups = config["instance_group"]
    groups = groups if isinstance(groups, list) else [groups]
    assert [g["kind"] for g in groups] == ["KIND_CPU"]
    assert all(g["count"] >= 1 for g in groups)


def test_model_agrees_with_config(model, config):
    inp, out = config["input"][0], config["output"][0]
    # Build the request Triton would send: [batch] + dims, with every variable dim set to some size.
    batch = config["max_batch_size"]
    shape = [batch] + [d if d > 0 else 40 for d in inp["dims"]]
    x = torch.randint(0, 256, shape, dtype=TRITON_TO_TORCH[inp["data_type"]])
    with torch.no_grad():
        probs = model(x)
    assert list(probs.shape) == [batch] + out["dims"]
    assert probs.dtype == TRITON_TO_TORCH[out["data_type"]]


def test_every_warmup_sample_is_a_request_the_model_accepts(model, config):
    # Triton runs each model_warmup sample through every instance before it reports the model ready
    # (model_config.proto r25.01, ModelWarmup): [batch_size] + dims of the declared input's type, all
    # zeros for zero_data. A sample the model rejects would keep every new replica from becoming ready.
    samples = config["model_warmup"]
    samples = samples if isinstance(samples, list) else [samples]
    assert samples, "config.pbtxt declares a warm-up"
    declared = {i["name"]: i for i in config["input"]}
    for sample in samples:
        inputs = sample["inputs"] if isinstance(sample["inputs"], list) else [sample["inputs"]]
        assert sorted(i["key"] for i in inputs) == sorted(declared), "one warm-up input per model input"
        (only,) = inputs
        spec = only["value"]
        assert spec["data_type"] == declared[only["key"]]["data_type"]
        assert spec.get("zero_data") is True
        assert 1 <= sample["batch_size"] <= config["max_batch_size"]
        # Fixed sizes where the declared input has variable ones, the same rank.
        assert len(spec["dims"]) == len(declared[only["key"]]["dims"]) and all(d > 0 for d in spec["dims"])
        x = torch.zeros([sample["batch_size"]] + spec["dims"], dtype=TRITON_TO_TORCH[spec["data_type"]])
        with torch.no_grad():
            check_probabilities(model(x), sample["batch_size"])


def test_the_tutorial_request_shape_still_works(model):
    # The tutorial sends shape [1, 3, 32, 32]; with max_batch_size > 0 Triton reads the 1 as the batch.
    with torch.no_grad():
        check_probabilities(model(images(1)), 1)


def test_training_and_export_from_checkpoint(tmp_path):
    ckpt = tmp_path / "cifar10.pt"
    trained = run_script("train.py", "--fake-data", "16", "--epochs", "1", "--output", str(ckpt))
    assert trained.returncode == 0, trained.stderr
    assert "random images" in trained.stderr
    out = tmp_path / "repo" / MODEL_NAME / "1" / "model.ts"
    exported = run_script("export_to_ts.py", "--checkpoint", str(ckpt), "--output", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "UNTRAINED" not in exported.stderr + exported.stdout
    model = torch.jit.load(str(out))
    state = torch.load(str(ckpt))
    assert torch.equal(model.net.fc3.weight, state["fc3.weight"])
    with torch.no_grad():
        check_probabilities(model(images(2)), 2)


def test_without_internet_the_build_fails_in_one_clear_line(tmp_path):
    # No network: every download goes to a proxy on a closed local port and is refused at once.
    env = {**os.environ, "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "no_proxy": "", "NO_PROXY": ""}
    result = subprocess.run([sys.executable, os.path.join(MODEL_DIR, "train.py"), "--data", str(tmp_path / "data"),
                             "--output", str(tmp_path / "c.pt")], cwd=MODEL_DIR, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "cannot download CIFAR-10" in last and "FAKE_DATA=512 npm run build:model" in last, result.stderr
    assert "Traceback" not in result.stderr


def test_build_and_tests_pick_python_by_one_rule():
    for script in ("model/build.sh", "tests/model/run.sh"):
        with open(os.path.join(ROOT, script)) as f:
            text = f.read()
        assert "python.sh" in text and "find_python" in text, f"{script} does not use model/python.sh"


def test_requirements_bound_pytorch_to_the_pinned_tritons_libtorch():
    with open(os.path.join(MODEL_DIR, "requirements.txt")) as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    assert "torch>=1.13,<2.7" in lines, lines


def test_export_needs_a_source(tmp_path):
    result = run_script("export_to_ts.py", "--output", str(tmp_path / "m.ts"))
    assert result.returncode != 0
    assert "--checkpoint" in result.stderr and "--random-init" in result.stderr


def test_pbtxt_reader_reads_lists_messages_and_comments():
    parsed = parse('a: 1 # one\nb [ { c: "x" }, { c: "y" } ]\nd { e: TYPE_FP32 }\nf: [1, -1]\ng: 2.5')
    assert parsed == {"a": 1, "b": [{"c": "x"}, {"c": "y"}], "d": {"e": "TYPE_FP32"}, "f": [1, -1], "g": 2.5}
