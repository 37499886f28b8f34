package io.github.reactorpatterns.cli;

/** Bad input that is not an option-parsing error (an unreadable file, ...): one line on stderr, exit code 2. */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
