package io.github.reactorpatterns.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

class TaskGroupExceptionTest {

    @Test
    void messageCountsTheFailuresAndNamesTheFirst() {
        IOException first = new IOException("boom");
        TimeoutException second = new TimeoutException("slow");
        assertThat(new TaskGroupException(List.of(first)))
                .hasMessage("1 task failed; first: java.io.IOException: boom")
                .hasCause(first);
        TaskGroupException two = new TaskGroupException(List.of(first, second));
        assertThat(two)
                .hasMessage("2 tasks failed; first: java.io.IOException: boom")
                .hasCause(first);
        assertThat(two.getSuppressed()).containsExactly(second);
        assertThat(two).isInstanceOf(RuntimeException.class);
    }

    @Test
    void exceptionsKeepOrderAndSplitByType() {
        IOException io = new IOException("io");
        TimeoutException timeout = new TimeoutException("t");
        IOException io2 = new IOException("io2");
        List<Throwable> errors = new ArrayList<>(List.of(io, timeout, io2));
        TaskGroupException group = new TaskGroupException(errors);
        errors.clear();
        assertThat(group.exceptions()).containsExactly(io, timeout, io2);
        assertThat(group.exceptionsOf(IOException.class)).containsExactly(io, io2);
        assertThat(group.exceptionsOf(Exception.class)).containsExactly(io, timeout, io2);
        assertThat(group.exceptionsOf(IllegalStateException.class)).isEmpty();
        assertThatThrownBy(() -> group.exceptions().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsBadArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> new TaskGroupException(null))
                .withMessage("exceptions");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new TaskGroupException(List.of()))
                .withMessage("exceptions must not be empty");
        assertThatNullPointerException()
                .isThrownBy(() -> new TaskGroupException(List.of(new IOException())).exceptionsOf(null))
                .withMessage("type");
    }
}
