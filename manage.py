#!/usr/bin/env python
"""Django's usual entry point; `coproduce` (the console script) does the same."""

from coproduce.__main__ import main

if __name__ == "__main__":
    main()
