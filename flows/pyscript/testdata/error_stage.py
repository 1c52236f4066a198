import eddy

t = eddy.generate(rows=10)
va = eddy.stage("vector_assembler", {"input_cols": ["x0"]})
p = eddy.pipeline([va, t])
