// Level: integration, static (no AWS) - the template's alarms, metric filter and dashboard against the metric catalogue.
package wxlogin.it.template;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.it.template.Template.list;
import static wxlogin.it.template.Template.map;
import static wxlogin.it.template.Template.ref;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every alarm and every dashboard widget names a metric of {@code ops/metrics.md} with its exact
 * namespace parameter, one of its dimension sets and allowed values (or a Lambda metric of one of
 * the template's functions); alarms notify only through the optional topic; the 429 metric filter
 * counts exactly the access log's 429 lines.
 */
class AlarmsTest {

    static final String ALARM = "AWS::CloudWatch::Alarm";
    static final Template TEMPLATE = Template.load();
    static final MetricCatalogue CATALOGUE = MetricCatalogue.load();
    static final Map<String, Object> NAMESPACE = ref("MetricsNamespace");
    static final Set<String> LAMBDA_METRICS = Set.of("Errors", "Throttles", "Duration", "ConcurrentExecutions", "Invocations");
    private static final ObjectMapper JSON = new ObjectMapper();

    // ------------------------------------------------------------------ the catalogue itself

    @Test
    void theCatalogueHasTheIssuesMetricsWithDimensionSetsThatStartWithFunction() {
        assertThat(CATALOGUE.metrics().keySet()).contains("Login", "WeChatCall", "WeChatLatency", "StableTokenFetch",
                "GateDecision", "GateDenied", "Refresh", "ReuseDetected", "Revocation", "DirectoryLinkCreated",
                "AccountDeletion", "DependencyFailure", "Restore", "CloudFunctionCall", "ApiThrottled");
        CATALOGUE.metrics().values().forEach(m -> {
            assertThat(m.dimensionSets()).as(m.name() + " dimension sets").isNotEmpty();
            for (Set<String> set : m.dimensionSets()) {
                // Few dimensions (each combination is billed as a metric): Function and at most one more.
                assertThat(set.size()).as(m.name() + " " + set).isLessThanOrEqualTo(2);
                if (!set.isEmpty()) {
                    assertThat(set.iterator().next()).as(m.name() + " " + set).isEqualTo("Function");
                    set.stream().skip(1).forEach(d -> assertThat(m.values()).as(m.name() + " values of " + d).containsKey(d));
                }
            }
            m.functions().forEach(f -> assertThat(CATALOGUE.functionResources()).as(m.name()).containsKey(f));
        });
        // Every template function has its Function value (AccountFunction lands with account deletion).
        for (String id : TEMPLATE.functionIds()) {
            assertThat(CATALOGUE.functionResources()).as("ops/metrics.md Function of " + id).containsValue(id);
        }
    }

    // ------------------------------------------------------------------ alarms

    @Test
    void everyAlarmReadsCatalogueMetricsOrLambdaMetricsOfTheTemplatesFunctions() {
        List<String> alarms = TEMPLATE.idsOfType(ALARM);
        assertThat(alarms).hasSizeGreaterThanOrEqualTo(10);
        for (String id : alarms) {
            Map<String, Object> p = TEMPLATE.properties(id);
            List<Map<String, Object>> metrics = new ArrayList<>();
            if (p.containsKey("Metrics")) {
                assertThat(p).as(id + ": a metric-math alarm names no metric of its own")
                        .doesNotContainKeys("MetricName", "Namespace", "Dimensions", "Statistic", "Period");
                list(p.get("Metrics")).forEach(q -> {
                    Map<String, Object> stat = map(map(q).get("MetricStat"));
                    if (!stat.isEmpty()) {
                        metrics.add(map(stat.get("Metric")));
                        assertThat(stat.get("Period")).as(id + " period").isEqualTo(ref("AlarmPeriodSeconds"));
                    }
                });
            } else {
                metrics.add(p);
                assertThat(p.get("Period")).as(id + " period").isEqualTo(ref("AlarmPeriodSeconds"));
            }
            assertThat(metrics).as(id + " metrics").isNotEmpty();
            for (Map<String, Object> metric : metrics) {
                Map<String, Object> dimensions = new LinkedHashMap<>();
                list(metric.get("Dimensions")).forEach(d -> dimensions.put(String.valueOf(map(d).get("Name")), map(d).get("Value")));
                assertMetric(id, metric.get("Namespace"), String.valueOf(metric.get("MetricName")), dimensions);
            }
        }
    }

    @Test
    void metricMathAlarmsAreWellFormedAndWithinCloudWatchsLimits() {
        for (String id : TEMPLATE.idsOfType(ALARM)) {
            List<Object> queries = list(TEMPLATE.properties(id).get("Metrics"));
            if (queries.isEmpty()) {
                continue;
            }
            Set<String> ids = new LinkedHashSet<>();
            List<String> expressions = new ArrayList<>();
            int returned = 0;
            int metricStats = 0;
            for (Object q : queries) {
                Map<String, Object> query = map(q);
                String qid = String.valueOf(query.get("Id"));
                assertThat(qid).as(id + " query id").matches("[a-z][A-Za-z0-9_]*");
                assertThat(ids.add(qid)).as(id + " query id " + qid + " once").isTrue();
                if (Boolean.TRUE.equals(query.get("ReturnData"))) {
                    returned++;
                }
                if (query.containsKey("MetricStat")) {
                    metricStats++;
                } else {
                    Object expression = query.get("Expression");
                    String text = expression instanceof String s ? s : String.valueOf(map(expression).get("Fn::Sub"));
                    assertThat(text).as(id + " expression").isNotEqualTo("null");
                    expressions.add(text);
                }
            }
            assertThat(returned).as(id + ": exactly one query is what the alarm watches").isEqualTo(1);
            // CloudWatch's hard limits for a metric-math alarm: 10 metrics, 10 expressions.
            assertThat(metricStats).as(id + " metrics").isLessThanOrEqualTo(10);
            assertThat(expressions.size()).as(id + " expressions").isLessThanOrEqualTo(10);
            for (String expression : expressions) {
                Matcher sub = Pattern.compile("\\$\\{([^}]+)}").matcher(expression);
                while (sub.find()) {
                    assertThat(TEMPLATE.section("Parameters")).as(id + ": ${" + sub.group(1) + "}").containsKey(sub.group(1));
                }
                // Lower-case words are query ids (functions such as IF, FILL, MAX are upper case).
                Matcher word = Pattern.compile("\\b([a-z][A-Za-z0-9_]*)\\b").matcher(expression.replaceAll("\\$\\{[^}]+}", "0"));
                while (word.find()) {
                    assertThat(ids).as(id + ": " + expression).contains(word.group(1));
                }
            }
        }
    }

    @Test
    void everyAlarmNotifiesTheOptionalTopicAndSaysWhatMissingDataMeans() {
        Map<String, Object> topicOrNothing = Map.of("Fn::If",
                List.of("HasAlarmTopic", List.of(ref("AlarmTopicArn")), ref("AWS::NoValue")));
        Map<String, Object> parameters = TEMPLATE.section("Parameters");
        for (String id : TEMPLATE.idsOfType(ALARM)) {
            Map<String, Object> p = TEMPLATE.properties(id);
            assertThat(p.get("AlarmActions")).as(id + " AlarmActions").isEqualTo(topicOrNothing);
            assertThat(p.get("OKActions")).as(id + " OKActions").isEqualTo(topicOrNothing);
            // Chosen per alarm, never CloudWatch's default ("missing", which leaves a quiet alarm INSUFFICIENT_DATA).
            assertThat(p.get("TreatMissingData")).as(id + " TreatMissingData").isIn("notBreaching", "ignore", "breaching");
            Object threshold = map(p.get("Threshold")).get("Ref");
            assertThat(parameters).as(id + " threshold parameter").containsKey(String.valueOf(threshold));
            assertThat(map(parameters.get(String.valueOf(threshold)))).as(String.valueOf(threshold))
                    .containsKeys("Default", "Description", "MinValue");
            assertThat(String.valueOf(p.get("AlarmDescription"))).as(id + " description")
                    .contains("Runbook: README.md, \"Alarms and runbook\", ");
        }
        assertThat(TEMPLATE.section("Conditions").get("HasAlarmTopic"))
                .isEqualTo(Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(ref("AlarmTopicArn"), "")))));
        assertThat(map(parameters.get("AlarmTopicArn")).get("Default")).isEqualTo("");
    }

    @Test
    void everyFunctionHasAnErrorsAndAThrottlesAlarm() {
        Map<String, Set<String>> watched = new LinkedHashMap<>();
        for (String id : TEMPLATE.idsOfType(ALARM)) {
            Map<String, Object> p = TEMPLATE.properties(id);
            if ("AWS/Lambda".equals(p.get("Namespace"))) {
                Object function = map(map(list(p.get("Dimensions")).get(0)).get("Value")).get("Ref");
                watched.computeIfAbsent(String.valueOf(function), f -> new TreeSet<>()).add(String.valueOf(p.get("MetricName")));
            }
        }
        for (String function : TEMPLATE.functionIds()) {
            assertThat(watched.get(function)).as(function + "'s Lambda alarms").containsExactly("Errors", "Throttles");
        }
    }

    /** The alarms the issue asks for, by the metric (and dimension value) each watches. */
    @Test
    void theAlarmsCoverWhatNeedsAPerson() {
        Set<String> watched = new TreeSet<>();
        for (String id : TEMPLATE.idsOfType(ALARM)) {
            for (Object q : list(TEMPLATE.properties(id).get("Metrics"))) {
                Map<String, Object> metric = map(map(map(q).get("MetricStat")).get("Metric"));
                if (!metric.isEmpty()) {
                    StringBuilder key = new StringBuilder(String.valueOf(metric.get("MetricName")));
                    list(metric.get("Dimensions")).forEach(d -> {
                        if (!"Function".equals(map(d).get("Name"))) {
                            key.append(' ').append(map(d).get("Value"));
                        }
                    });
                    watched.add(key.toString());
                }
            }
        }
        assertThat(watched).contains("Login failed", "Login unavailable", "WeChatCall errcode", "WeChatCall unavailable",
                "WeChatCall quota", "WeChatLatency code2verifyinfo", "WeChatLatency jscode2session", "GateDecision deny",
                "ApiThrottled", "DependencyFailure DynamoDB", "DependencyFailure SecretsManager", "ReuseDetected");
    }

    // ------------------------------------------------------------------ deployed: the topic and tracing conditions

    @Test
    void alarmsNotifyTheTopicOnlyWhenOneIsGiven() throws Exception {
        TranslatedTemplateTest.Deployed quiet = TranslatedTemplateTest.deployed(Map.of());
        TranslatedTemplateTest.Deployed loud = TranslatedTemplateTest.deployed(
                Map.of("AlarmTopicArn", "arn:aws:sns:us-east-1:123456789012:on-call"));
        assertThat(quiet.idsOfType(ALARM)).isNotEmpty().isEqualTo(loud.idsOfType(ALARM));
        for (String id : quiet.idsOfType(ALARM)) {
            for (String actions : List.of("AlarmActions", "OKActions")) {
                assertThat(quiet.value(quiet.properties(id).get(actions))).as(id + " " + actions + " without a topic").isNull();
                assertThat(loud.value(loud.properties(id).get(actions))).as(id + " " + actions + " with a topic")
                        .isEqualTo(List.of(ref("AlarmTopicArn")));
            }
        }
        // Without a topic the alarms and the dashboard exist all the same.
        assertThat(quiet.idsOfType("AWS::CloudWatch::Dashboard")).hasSize(1);
    }

    @Test
    void tracingIsOffByDefaultAndOnEveryFunctionWhenActive() throws Exception {
        String xray = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess";
        TranslatedTemplateTest.Deployed off = TranslatedTemplateTest.deployed(Map.of());
        TranslatedTemplateTest.Deployed on = TranslatedTemplateTest.deployed(Map.of("Tracing", "Active"));
        assertThat(map(TEMPLATE.section("Parameters").get("Tracing")).get("Default")).isEqualTo("Disabled");
        for (String function : off.idsOfType("AWS::Lambda::Function")) {
            assertThat(off.properties(function).get("TracingConfig")).as(function + " without tracing").isNull();
            assertThat(off.managedPolicies(off.roleOf(function))).as(function + " role without tracing").doesNotContain(xray);
            assertThat(on.properties(function).get("TracingConfig")).as(function + " with tracing")
                    .isEqualTo(Map.of("Mode", ref("Tracing")));
            assertThat(on.managedPolicies(on.roleOf(function))).as(function + " role with tracing").contains(xray);
        }
        // HTTP APIs cannot be traced (API Gateway traces REST APIs only): nothing on the API's stage.
        for (String stage : on.idsOfType("AWS::ApiGatewayV2::Stage")) {
            assertThat(on.properties(stage).toString()).doesNotContainIgnoringCase("tracing");
        }
        // X-Ray is not integrated with Lambda in the China regions: a rule refuses Active there.
        Map<String, Object> rule = map(TEMPLATE.section("Rules").get("NoTracingInChina"));
        assertThat(rule.get("RuleCondition")).isEqualTo(Map.of("Fn::Equals", List.of(ref("Tracing"), "Active")));
        assertThat(map(list(rule.get("Assertions")).get(0)).get("Assert"))
                .isEqualTo(Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(ref("AWS::Partition"), "aws-cn")))));
    }

    // ------------------------------------------------------------------ the 429 metric filter

    @Test
    void theMetricFilterCountsTheAccessLogs429sAndNothingElse() throws Exception {
        List<String> filters = TEMPLATE.idsOfType("AWS::Logs::MetricFilter");
        assertThat(filters).hasSize(1);
        Map<String, Object> p = TEMPLATE.properties(filters.get(0));
        assertThat(p.get("LogGroupName")).isEqualTo(ref("HttpApiAccessLogs"));
        Map<String, Object> transformation = map(list(p.get("MetricTransformations")).get(0));
        assertThat(transformation.get("MetricNamespace")).isEqualTo(NAMESPACE);
        assertMetric("metric filter", NAMESPACE, String.valueOf(transformation.get("MetricName")), Map.of());
        assertThat(transformation.get("MetricName")).isEqualTo("ApiThrottled");

        String pattern = String.valueOf(p.get("FilterPattern"));
        assertThat(matches(pattern, accessLogLine("429", "POST /login", "-"))).as("API Gateway's throttling").isTrue();
        assertThat(matches(pattern, accessLogLine("429", "POST /login", "200"))).as("the function's own 429").isTrue();
        for (String other : List.of("200", "204", "400", "401", "403", "500", "503", "-")) {
            assertThat(matches(pattern, accessLogLine(other, "POST /login", "200"))).as("status " + other).isFalse();
        }
        // The status field, not the text: 429 elsewhere in the line does not count.
        assertThat(matches(pattern, accessLogLine("200", "POST /functions/429", "429"))).isFalse();
        // The runbook's access-log samples: exactly their 429 lines.
        int matched = 0;
        int throttled = 0;
        for (String line : ProjectFiles.read(ProjectFiles.root().resolve("ops/queries/samples/access-log.jsonl")).split("\n")) {
            matched += matches(pattern, line) ? 1 : 0;
            throttled += line.contains("\"status\":\"429\"") ? 1 : 0;
        }
        assertThat(matched).isEqualTo(throttled).isPositive();
    }

    /** One line of the HTTP API's access log as API Gateway writes it: the template's Format, filled in. */
    static String accessLogLine(String status, String routeKey, String integrationStatus) {
        String format = String.valueOf(map(TEMPLATE.properties("HttpApi").get("AccessLogSettings")).get("Format"));
        Matcher m = Pattern.compile("\\$context\\.[A-Za-z.]+").matcher(format);
        StringBuilder line = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group()) {
                case "$context.status" -> status;
                case "$context.routeKey" -> routeKey;
                case "$context.integrationStatus" -> integrationStatus;
                case "$context.requestId" -> "Xk4zGgHoAMEMbQ=";
                default -> "-";
            };
            m.appendReplacement(line, Matcher.quoteReplacement(value));
        }
        m.appendTail(line);
        return line.toString();
    }

    /**
     * The subset of CloudWatch Logs' JSON filter patterns the template uses, {@code { $.field = "text" }}
     * or {@code !=}; anything else fails here, so a new pattern gets a matcher before it is trusted.
     */
    static boolean matches(String pattern, String line) throws Exception {
        Matcher m = Pattern.compile("\\{\\s*\\$\\.([A-Za-z0-9_.]+)\\s*(=|!=)\\s*\"([^\"*]*)\"\\s*}").matcher(pattern.strip());
        assertThat(m.matches()).as("filter pattern in the tested subset: " + pattern).isTrue();
        JsonNode node = JSON.readTree(line);
        for (String part : m.group(1).split("\\.")) {
            node = node.path(part);
        }
        boolean equal = node.isTextual() && node.asText().equals(m.group(3));
        return m.group(2).equals("=") ? equal : node.isTextual() && !equal;
    }

    // ------------------------------------------------------------------ the dashboard

    @Test
    void theDashboardIsJsonOfCatalogueMetricsAndEveryAlarm() throws Exception {
        List<String> dashboards = TEMPLATE.idsOfType("AWS::CloudWatch::Dashboard");
        assertThat(dashboards).hasSize(1);
        // Dashboards are global to the account, alarms and stacks regional.
        assertThat(substituted(TEMPLATE.properties(dashboards.get(0)).get("DashboardName"))).contains("<AWS::Region>");
        JsonNode body = JSON.readTree(substituted(TEMPLATE.properties(dashboards.get(0)).get("DashboardBody")));
        Set<String> alarmArns = new TreeSet<>();
        Set<String> shown = new TreeSet<>();
        int metricRows = 0;
        for (JsonNode widget : body.path("widgets")) {
            JsonNode properties = widget.path("properties");
            assertThat(widget.path("type").asText()).isIn("metric", "alarm");
            if (widget.path("type").asText().equals("alarm")) {
                properties.path("alarms").forEach(a -> alarmArns.add(a.asText()));
                continue;
            }
            assertThat(properties.path("region").asText()).isEqualTo("<AWS::Region>");
            for (JsonNode row : properties.path("metrics")) {
                metricRows++;
                if (row.get(0).isObject()) {
                    shown.add(assertSearch(row.get(0).path("expression").asText()));
                    continue;
                }
                shown.add(row.get(1).asText());
                Map<String, Object> dimensions = new LinkedHashMap<>();
                int end = row.get(row.size() - 1).isObject() ? row.size() - 1 : row.size();
                for (int i = 2; i + 1 < end; i += 2) {
                    dimensions.put(row.get(i).asText(), row.get(i + 1).asText());
                }
                assertThat((end - 2) % 2).as("name/value pairs in " + row).isZero();
                String namespace = row.get(0).asText();
                dimensions.replaceAll((k, v) -> String.valueOf(v).startsWith("<") ? ref(String.valueOf(v).replaceAll("[<>]", "")) : v);
                assertMetric("dashboard", namespace.equals("<MetricsNamespace>") ? NAMESPACE : namespace,
                        row.get(1).asText(), dimensions);
            }
        }
        assertThat(metricRows).isGreaterThan(30);
        Set<String> expected = new TreeSet<>();
        TEMPLATE.idsOfType(ALARM).forEach(id -> expected.add("<" + id + ".Arn>"));
        assertThat(alarmArns).as("the dashboard's alarm widget").isEqualTo(expected);
        // Every catalogue metric is on it (ApiThrottled included).
        assertThat(shown).as("metrics on the dashboard").containsAll(CATALOGUE.metrics().keySet());
    }

    /** A SEARCH expression of the dashboard: the namespace parameter, a catalogue dimension set and metric name. */
    private static String assertSearch(String expression) {
        Matcher m = Pattern.compile("SEARCH\\('\\{([^}]*)\\} MetricName=\"(\\w+)\"', 'Sum', \\d+\\)").matcher(expression);
        assertThat(m.matches()).as("a SEARCH of one metric: " + expression).isTrue();
        List<String> schema = List.of(m.group(1).split(","));
        assertThat(schema.get(0)).isEqualTo("<MetricsNamespace>");
        MetricCatalogue.Metric metric = CATALOGUE.metric(m.group(2));
        assertThat(metric).as("catalogue metric " + m.group(2)).isNotNull();
        assertThat(metric.hasDimensionSet(new LinkedHashSet<>(schema.subList(1, schema.size())))).as(expression).isTrue();
        return metric.name();
    }

    /** A {@code Fn::Sub} string with each {@code ${X}} replaced by {@code <X>}, X checked to exist. */
    static String substituted(Object sub) {
        String text = String.valueOf(map(sub).get("Fn::Sub"));
        Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String resource = name.endsWith(".Arn") ? name.substring(0, name.length() - 4) : name;
            boolean known = name.startsWith("AWS::") || TEMPLATE.section("Parameters").containsKey(name)
                    || TEMPLATE.resources().containsKey(resource);
            assertThat(known).as("${" + name + "} names a parameter, pseudo parameter or resource").isTrue();
            m.appendReplacement(out, Matcher.quoteReplacement("<" + name + ">"));
        }
        m.appendTail(out);
        return out.toString();
    }

    // ------------------------------------------------------------------ one metric against the catalogue

    /** Dimension values: strings, or {@code {Ref: <function>}} for Lambda's FunctionName. */
    static void assertMetric(String where, Object namespace, String name, Map<String, Object> dimensions) {
        String what = where + ": " + name + " " + dimensions;
        if ("AWS/Lambda".equals(namespace)) {
            assertThat(LAMBDA_METRICS).as(what).contains(name);
            assertThat(dimensions.keySet()).as(what).containsExactly("FunctionName");
            String function = String.valueOf(map(dimensions.get("FunctionName")).get("Ref"));
            assertThat(TEMPLATE.functionIds()).as(what).contains(function);
            return;
        }
        assertThat(namespace).as(what + ": the namespace parameter").isEqualTo(NAMESPACE);
        MetricCatalogue.Metric metric = CATALOGUE.metric(name);
        assertThat(metric).as(what + ": in ops/metrics.md").isNotNull();
        assertThat(metric.hasDimensionSet(dimensions.keySet())).as(what + ": one of " + metric.dimensionSets()).isTrue();
        dimensions.forEach((dimension, value) ->
                assertThat(metric.allows(dimension, String.valueOf(value))).as(what + ": " + dimension + "=" + value).isTrue());
    }
}
