#include "export/snippets.h"

#include <fmt/format.h>

#include "common/error.h"

namespace tiltbench {

namespace {

std::string escaped(const std::string& text, bool cpp) {
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (u < 0x20 || u == 0x7f) {
                    // Octal in C++ (a \x escape would swallow following hex digits); \x in Python.
                    out += cpp ? fmt::format("\\{:03o}", u) : fmt::format("\\x{:02x}", u);
                } else {
                    out += c;  // UTF-8 passes through: both languages read UTF-8 source
                }
        }
    }
    return out + "\"";
}

bool isInteger(const std::string& s) {
    if (s.empty() || s.size() > 18) {
        return false;
    }
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) {
        return false;
    }
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

std::string joined(const std::vector<std::string>& items, bool quote, bool cpp) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        out += (i ? ", " : "") + (quote ? escaped(items[i], cpp) : items[i]);
    }
    return out;
}

}  // namespace

std::string pythonString(const std::string& text) {
    return escaped(text, false);
}

std::string cppString(const std::string& text) {
    return escaped(text, true);
}

LoadSnippets loadSnippets(const std::string& format, const std::string& path, const std::string& configPath,
                          const std::vector<std::string>& exampleHistory, bool numericIds, int k) {
    LoadSnippets s;
    const std::string py = pythonString(path);
    const std::string cc = cppString(path);
    if (format == "torchscript") {
        std::vector<std::string> history = exampleHistory;
        bool numeric = numericIds;
        for (const auto& id : history) {
            numeric = numeric && isInteger(id);
        }
        if (history.empty()) {
            history =
                numeric ? std::vector<std::string>{"1", "2", "3"} : std::vector<std::string>{"a", "b", "c"};
        }
        if (numeric) {
            s.python = fmt::format(
                "import torch\n"
                "model = torch.jit.load({0})\n"
                "# history: external item ids, oldest first; a [B, L] batch is padded with -1\n"
                "scores, items = model(torch.tensor([{1}]), {2})\n"
                "print(items.tolist(), scores.tolist())\n",
                py, joined(history, false, false), k);
            s.cpp = fmt::format(
                "#include <torch/script.h>\n"
                "\n"
                "torch::jit::Module model = torch::jit::load({0});\n"
                "// history: external item ids, oldest first; a [B, L] batch is padded with -1\n"
                "auto out = model.forward({{torch::tensor({{{1}}}, torch::kLong), "
                "int64_t{{{2}}}}}).toTuple();\n"
                "at::Tensor scores = out->elements()[0].toTensor();\n"
                "at::Tensor items = out->elements()[1].toTensor();\n",
                cc, joined(history, false, true), k);
        } else {
            s.python = fmt::format(
                "import torch\n"
                "model = torch.jit.load({0})\n"
                "# item ids are strings in this dataset: recommend() takes and returns them\n"
                "items, scores = model.recommend([{1}], {2})\n"
                "print(items, scores)\n",
                py, joined(history, true, false), k);
            s.cpp = fmt::format(
                "#include <torch/script.h>\n"
                "\n"
                "torch::jit::Module model = torch::jit::load({0});\n"
                "// item ids are strings in this dataset: recommend() takes and returns them\n"
                "c10::List<std::string> history({{{1}}});\n"
                "auto out = model.run_method(\"recommend\", history, int64_t{{{2}}}).toTuple();\n"
                "auto items = out->elements()[0].toList();\n"
                "auto scores = out->elements()[1].toList();\n",
                cc, joined(history, true, true), k);
        }
    } else if (format == "safetensors") {
        const std::string pyConfig = pythonString(configPath);
        s.python = fmt::format(
            "import json, struct\n"
            "\n"
            "def read_safetensors(path):  # or: from safetensors.numpy import load_file\n"
            "    with open(path, \"rb\") as f:\n"
            "        n = struct.unpack(\"<Q\", f.read(8))[0]\n"
            "        header = json.loads(f.read(n))\n"
            "        data = f.read()\n"
            "    meta = header.pop(\"__metadata__\", {{}})\n"
            "    return header, data, meta  # header[name]: dtype, shape, data_offsets into data\n"
            "\n"
            "header, data, meta = read_safetensors({0})\n"
            "config = json.load(open({1}, encoding=\"utf-8\"))  # how to rebuild the model\n",
            py, configPath.empty() ? std::string("\"config.json\"") : pyConfig);
        s.cpp = fmt::format(
            "#include <cstdint>\n"
            "#include <fstream>\n"
            "#include <nlohmann/json.hpp>\n"
            "\n"
            "std::ifstream in({0}, std::ios::binary);\n"
            "uint64_t n = 0;  // little-endian header length\n"
            "in.read(reinterpret_cast<char*>(&n), 8);\n"
            "std::string text(n, ' ');\n"
            "in.read(text.data(), static_cast<std::streamsize>(n));\n"
            "nlohmann::json header = nlohmann::json::parse(text);\n"
            "// tensor `name` lies at 8 + n + header[name][\"data_offsets\"][0] (dtype, shape in header)\n",
            cc);
    } else if (format == "topk-csv") {
        s.python = fmt::format(
            "import csv\n"
            "\n"
            "with open({0}, newline=\"\", encoding=\"utf-8\") as f:\n"
            "    rows = list(csv.DictReader(f))  # user, rank, item, title, score\n"
            "top = {{}}\n"
            "for r in rows:\n"
            "    top.setdefault(r[\"user\"], []).append(r[\"item\"])\n"
            "# or: import pandas as pd; df = pd.read_csv({0}, dtype={{\"user\": str, \"item\": str}})\n",
            py);
        s.cpp = fmt::format(
            "#include <fstream>\n"
            "#include <string>\n"
            "\n"
            "std::ifstream in({0});\n"
            "std::string line;\n"
            "std::getline(in, line);  // header: user,rank,item,title,score\n"
            "while (std::getline(in, line)) {{\n"
            "    // RFC 4180: a title with a comma or quote is quoted, \"\" inside quotes is a quote\n"
            "}}\n",
            cc);
    } else {
        throw Error(
            fmt::format("unknown export format '{}' (valid: torchscript, safetensors, topk-csv)", format));
    }
    return s;
}

}  // namespace tiltbench
