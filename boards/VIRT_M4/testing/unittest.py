# Minimal unittest for running MicroPython's own test suite on VIRT_M4 (micropython-lib's
# unittest is not available offline). Only what tests/{basics,float,micropython,extmod} use,
# printing the summary format that tests/run-tests.py parses.


class SkipTest(Exception):
    pass


class _Raises:
    def __init__(self, exc):
        self.expected = exc
        self.exception = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            raise AssertionError("%r not raised" % (self.expected,))
        if issubclass(exc_type, self.expected):
            self.exception = exc
            return True
        return False


class TestCase:
    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        pass

    def tearDown(self):
        pass

    def skipTest(self, reason):
        raise SkipTest(reason)

    def fail(self, msg=""):
        raise AssertionError(msg)

    def assertEqual(self, a, b, msg=None):
        if not a == b:
            self.fail(msg or "%r != %r" % (a, b))

    def assertNotEqual(self, a, b, msg=None):
        if a == b:
            self.fail(msg or "%r == %r" % (a, b))

    def assertTrue(self, x, msg=None):
        if not x:
            self.fail(msg or "%r is not true" % (x,))

    def assertFalse(self, x, msg=None):
        if x:
            self.fail(msg or "%r is not false" % (x,))

    def assertIs(self, a, b, msg=None):
        if a is not b:
            self.fail(msg or "%r is not %r" % (a, b))

    def assertIsNone(self, x, msg=None):
        self.assertIs(x, None, msg)

    def assertIn(self, a, b, msg=None):
        if a not in b:
            self.fail(msg or "%r not in %r" % (a, b))

    def assertIsInstance(self, x, cls, msg=None):
        if not isinstance(x, cls):
            self.fail(msg or "%r is not an instance of %r" % (x, cls))

    def assertAlmostEqual(self, a, b, places=7, msg=None):
        if round(abs(a - b), places) != 0:
            self.fail(msg or "%r != %r within %r places" % (a, b, places))

    def assertRaises(self, exc, func=None, *args, **kwargs):
        ctx = _Raises(exc)
        if func is None:
            return ctx
        with ctx:
            func(*args, **kwargs)


def skip(reason):
    def deco(f):
        def skipped(*args, **kwargs):
            raise SkipTest(reason)

        return skipped

    return deco


def skipIf(cond, reason):
    return skip(reason) if cond else (lambda f: f)


def skipUnless(cond, reason):
    return skipIf(not cond, reason)


def main(module="__main__"):
    mod = __import__(module) if isinstance(module, str) else module
    ran = skipped = failures = errors = 0
    for name in dir(mod):
        cls = getattr(mod, name)
        if not (isinstance(cls, type) and issubclass(cls, TestCase)):
            continue
        cls.setUpClass()
        for test in sorted(n for n in dir(cls) if n.startswith("test")):
            ran += 1
            case = cls()
            try:
                case.setUp()
                try:
                    getattr(case, test)()
                finally:
                    case.tearDown()
                print(test, "(%s) ... ok" % name)
            except SkipTest as e:
                skipped += 1
                print(test, "(%s) ... skipped:" % name, e)
            except AssertionError as e:
                failures += 1
                print(test, "(%s) ... FAIL:" % name, e)
            except Exception as e:
                errors += 1
                print(test, "(%s) ... ERROR:" % name, repr(e))
        cls.tearDownClass()
    print("-" * 70)
    print("Ran %d tests" % ran)
    print()
    if failures or errors:
        print("FAILED (failures=%d, errors=%d)" % (failures, errors))
    else:
        print("OK" + (" (skipped=%d)" % skipped if skipped else ""))
