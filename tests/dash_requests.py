"""Dash callback requests as the browser sends them, built from an app's callback map."""
from __future__ import annotations


def body_for(app, name: str, values: list, state: list) -> dict:
    """The request body of the callback function `name` with these input and state values."""
    output, spec = next((o, s) for o, s in app.callback_map.items()
                        if getattr(s.get("callback"), "__name__", None) == name)
    many = output.startswith("..")
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1)))
               for part in (output[2:-2].split("...") if many else [output])]
    inputs = [{**i, "value": v} for i, v in zip(spec["inputs"], values)]
    states = [{**s, "value": v} for s, v in zip(spec["state"], state)]
    return {"output": output, "outputs": outputs if many else outputs[0], "inputs": inputs, "state": states,
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}
