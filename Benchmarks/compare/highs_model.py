"""The HiGHS set-up every comparison script shares: one thread, quiet, a time limit, the
MPS model with its objective constant (the origin cost Σ D·cO that `mis export` keeps as
the objective row's RHS) as HiGHS's objective offset."""


def load(path, constant, time_limit):
    """A highspy.Highs holding the model at `path`, ready to `run()`."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", 1)
    h.readModel(path)
    h.changeObjectiveOffset(float(constant))
    return h
