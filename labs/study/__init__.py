"""Study toward an interview date: an fsrs review plan counted back from the day, a small
learner model (mastery per module, "study next"), and fsrs parameters fitted to the learner's
own reviews. `planner` is pure; `service` reads and writes the store; `view` builds figures."""
