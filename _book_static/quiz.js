// Choice questions of the exercises (backproplib.teaching.exercises.ChoiceExercise) answer in the
// page itself, with no kernel: the form carries the right option and what each wrong one mistakes.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.bp-quiz").forEach(function (form) {
    var out = form.querySelector(".bp-quiz-feedback");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[type=radio]:checked");
      if (!chosen) {
        out.textContent = "Choose an option first.";
        out.className = "bp-quiz-feedback";
        return;
      }
      var right = chosen.value === form.dataset.answer;
      var why = form.getAttribute("data-why-" + chosen.value);
      out.textContent = right ? "\u2714 " + form.dataset.right
                              : "\u2718 Not yet. " + (why || "(" + chosen.value + ") is not right.");
      out.className = "bp-quiz-feedback " + (right ? "bp-quiz-right" : "bp-quiz-wrong");
    });
  });
});
