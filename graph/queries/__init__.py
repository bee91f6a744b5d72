"""The query catalogue: research questions as ``.rq`` files, and the code that runs them."""
