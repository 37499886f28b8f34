package io.github.reactorpatterns.cli.demo;

import java.time.Duration;
import java.util.List;

/**
 * What one step of the tour did.
 *
 * @param pattern the pattern and the class that implements it
 * @param result  one line: what happened, in numbers
 * @param details more lines for the narrative
 * @param time    how long the step took
 * @param ok      whether what happened is what the pattern promises
 */
record Step(String pattern, String result, List<String> details, Duration time, boolean ok) {

    Step {
        details = List.copyOf(details);
    }
}
