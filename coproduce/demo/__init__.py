"""The demo collaboration and the synthetic network: the top layer, which may import every app.

`coproduce loaddemo` reads the CLAHRC-NDL collaboration from data/*.toml (data.py) and loads it
with loader/; `coproduce loadsynthetic` fills the database from a seed (synthetic.py). No other
app imports this one.
"""
