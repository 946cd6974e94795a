#!/usr/bin/python3
"""Checks Kubernetes manifests against the API's types as Debian's python3-kubernetes (the
official client, generated from the Kubernetes OpenAPI schema) defines them: every field must
exist in its object's type with a value of that type, required fields must be present, and
each document's kind and apiVersion must name a known type. Exits 1 naming every problem."""
import re
import sys

import kubernetes.client as k8s
import yaml

SCALARS = {"str": str, "bool": bool, "int": int, "float": (int, float), "datetime": str}


def model_for(api_version, kind):
    group, _, version = api_version.rpartition("/")
    name = version.capitalize() + kind
    return getattr(k8s, name, None)


def check(value, type_name, path, problems):
    if type_name == "object":
        return  # int-or-string and free-form fields
    if type_name in SCALARS:
        if type_name != "bool" and isinstance(value, bool) or not isinstance(value, SCALARS[type_name]):
            problems.append(f"{path}: {value!r} is not {type_name}")
        return
    m = re.fullmatch(r"list\[(.+)\]", type_name)
    if m:
        if not isinstance(value, list):
            problems.append(f"{path}: not a list of {m.group(1)}")
            return
        for i, item in enumerate(value):
            check(item, m.group(1), f"{path}[{i}]", problems)
        return
    m = re.fullmatch(r"dict\(str, (.+)\)", type_name)
    if m:
        if not isinstance(value, dict):
            problems.append(f"{path}: not a map")
            return
        for k, v in value.items():
            check(v, m.group(1), f"{path}.{k}", problems)
        return
    model = getattr(k8s, type_name, None)
    if model is None:
        problems.append(f"{path}: unknown type {type_name}")
        return
    if not isinstance(value, dict):
        problems.append(f"{path}: not an object ({type_name})")
        return
    by_json = {v: k for k, v in model.attribute_map.items()}
    for key, v in value.items():
        if key not in by_json:
            problems.append(f"{path}.{key}: no such field in {type_name}")
            continue
        check(v, model.openapi_types[by_json[key]], f"{path}.{key}", problems)
    # The generated constructors refuse a missing required field.
    try:
        model(**{by_json[k]: (v if v is not None else "") for k, v in value.items() if k in by_json})
    except ValueError as e:
        problems.append(f"{path}: {e}")


def main(paths):
    problems = []
    documents = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, doc in enumerate(yaml.safe_load_all(f)):
                if doc is None:
                    continue
                documents += 1
                where = f"{path}#{n}"
                model = model_for(doc.get("apiVersion", ""), doc.get("kind", ""))
                if model is None:
                    problems.append(f"{where}: unknown kind {doc.get('apiVersion')}/{doc.get('kind')}")
                    continue
                check(doc, model.__name__, f"{where} {doc['kind']}", problems)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"k8s_schema: {documents} documents, {len(problems)} problems")
    return 1 if problems or documents == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
