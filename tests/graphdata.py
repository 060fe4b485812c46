"""Graph texts shared by the graph and conflict tests."""

# The example of spec §5.1, as go printed it.
SPEC_GRAPH = """\
example.com/a example.com/b@v1.2.0
example.com/a example.com/c@v1.2.0
example.com/a example.com/d@v1.4.0
example.com/a example.com/e@v1.2.0
example.com/b@v1.2.0 example.com/d@v1.3.0
example.com/c@v1.2.0 example.com/d@v1.4.0
example.com/d@v1.4.0 example.com/e@v1.2.0
"""
