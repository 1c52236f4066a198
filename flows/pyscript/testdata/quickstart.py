# The acceptance example and a tour of eddy.Table.
# argv: DATASETS_DIR OUT_DIR
import sys
import eddy

data = sys.argv[1]
t = eddy.read_csv(data + "/iris.csv.gz")
print("rows", t.num_rows())
print(t)
print(eddy.join(", ", t.columns()))
for name, typ in t.schema():
    print(name, typ)
print(t.head(3))
print(t.column("petal_length_cm")[:4])
first = t.rows(2)[0]
print(eddy.format("{:.1f} {}", first["sepal_length_cm"], first["label"]))
labels = t.column("label")
counts = {}
for y in labels:
    counts[str(y)] = counts.get(str(y), 0) + 1
print(eddy.json_dumps(counts))
small = t.select(["petal_length_cm", "label"])
print(small.columns(), small.num_rows())
print(t.select("label").columns())
print(t.slice(10, 5).num_rows(), t.slice(148).num_rows())
train, test = t.split([0.8, 0.2], seed=42)
print("split", train.num_rows() + test.num_rows(), train.num_rows() > test.num_rows())
again = t.split([0.8, 0.2], seed=42)
print("same split", again[0].column("sepal_width_cm") == train.column("sepal_width_cm"))
out = sys.argv[2] + "/iris_small.jsonl"
print("wrote", eddy.write(small, out))
back = eddy.read(out)
print(back, back.column("label") == small.column("label"))
