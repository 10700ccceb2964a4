// Level: integration, in-process - ./bin/local's stack where DynamoDB Local cannot start: it says so, lasting sessions are off, and the user directory runs on the local tool's in-memory stand-in, so both builds still log in as one person.
package wxlogin.it.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import wxlogin.it.template.ProjectFiles;
import wxlogin.local.LocalMain;
import wxlogin.testing.SecretLedger;

class LocalWithoutDynamoDbLocalTest {

    private static final String SWITCH = "wxlogin.local.noDynamoDbLocal";

    @Test
    void theSelfCheckLogsInFromBothBuildsAsOnePersonOnTheStandIn() throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setProperty(SWITCH, "true");
        LocalMain.Stack stack;
        try {
            System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
            stack = LocalMain.Stack.start(new LocalMain.Options(0, 0, ProjectFiles.template(), true));
        } finally {
            System.setErr(stderr);
            System.clearProperty(SWITCH);
        }
        try (stack) {
            assertThat(warnings.toString(StandardCharsets.UTF_8)).contains("DynamoDB Local did not start")
                    .contains("lasting sessions are off").contains("stand-in");
            assertThat(stack.dynamo()).isNull();
            assertThat(stack.usersStandIn()).isNotNull();
            assertThat(stack.lastingSessions()).isFalse();

            LocalMain.Flow flow = stack.tryTheFlow();
            assertThat(flow.ok()).as(flow.toString()).isTrue();
            assertThat(flow.miniProgramStatus()).isEqualTo(200);
            assertThat(flow.sameUser()).isTrue();
            assertThat(flow.refreshExpected()).isFalse();
            SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, flow.token());
            // The directory's items are in the stand-in: the user and its links.
            assertThat(stack.usersStandIn().snapshot().get("UsersTable")).hasSizeGreaterThanOrEqualTo(5);

            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            LocalMain.print(new PrintStream(printed, true, StandardCharsets.UTF_8), stack, flow, false);
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("User directory: an in-memory stand-in")
                    .contains("\"codeType\":\"miniProgram\"").contains("(the whole flow works)");
        }
    }
}
