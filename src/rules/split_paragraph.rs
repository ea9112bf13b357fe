use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Warns about a step line that directly follows a line of prose whose
    /// sentence goes on: the line was meant as text, but because it starts
    /// with `Step 3:` it starts a new step, cuts the paragraph in two and
    /// moves the rest of the text into that step.
    ///
    /// ## Why is this bad?
    /// The procedure gains a step nobody meant, the step above loses the
    /// end of its instructions, and the reader sees half a sentence.
    ///
    /// ## Example
    /// ```text
    /// step verify: Verify the customer
    ///   Ask for the order number and go on as in
    ///   Step 3: check the order in the system.
    /// ```
    ///
    /// ## How to fix
    /// If the line is text, start it with `\` (`\Step 3: check…`) or reword
    /// it. If it is a new step, end the sentence above and put a blank line
    /// before the step.
    pub struct SplitParagraph {
        code: "split-paragraph",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for span in &ctx.doc.split_paragraphs {
        out.push(
            out.diagnostic(*span, "this step line cuts the sentence above in two")
                .label("starts a new step")
                .help("The line above does not end its sentence, so this line reads as its continuation, but a line starting with a step keyword always starts a new step. If it is text, start it with `\\` to keep it in the paragraph; if it is a new step, end the sentence above and put a blank line before the step."),
        );
    }
}
