from tests.choice.helpers import only_fake_keys  # noqa: F401  (fixture)
