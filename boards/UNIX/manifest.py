include("../manifest_common.py")
