# Generates testdata/expected_wine.csv.gz: the interaction of three wine
# inputs computed row by row with numpy.kron (first input varying
# slowest), the reference for Eddy's interaction:
#   alcohol (scalar) x [malic_acid, ash] x [magnesium, hue, proline]
# giving 1*2*3 = 6 values per row, kron(kron(a, b), c).
# Run once: /usr/bin/python3 testdata/gen_expected.py
import numpy as np
import pandas as pd

X = pd.read_csv("../../../shared/datasets/wine.csv.gz")
a = X[["alcohol"]].values.astype(float)
b = X[["malic_acid", "ash"]].values.astype(float)
c = X[["magnesium", "hue", "proline"]].values.astype(float)
Y = np.array([np.kron(np.kron(a[i], b[i]), c[i]) for i in range(len(X))])
pd.DataFrame(Y).to_csv("testdata/expected_wine.csv.gz", index=False, float_format="%.17g")
