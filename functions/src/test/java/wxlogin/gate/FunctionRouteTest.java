// Unit: the function a call is for, from the route key and the path as sent, and the spellings that are denied.
package wxlogin.gate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FunctionRouteTest {

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            // concrete routes: only the route's own spelling
            "POST /functions/myCloudFunction, /functions/myCloudFunction,           myCloudFunction",
            "POST /functions/myCloudFunction, /functions/myCloudFunction/,          myCloudFunction",
            "POST /functions/myCloudFunction, /functions/myCloudF%75nction,         NULL",
            "POST /functions/myCloudFunction, /functions/%6DyCloudFunction,         NULL",
            "POST /functions/myCloudFunction, /functions/./myCloudFunction,         NULL",
            "POST /functions/myCloudFunction, /functions/x/../myCloudFunction,      NULL",
            "POST /functions/myCloudFunction, /functions//myCloudFunction,          NULL",
            "POST /functions/myCloudFunction, //functions/myCloudFunction,          NULL",
            "POST /functions/myCloudFunction, /functions/adminReport,               NULL",
            "POST /functions/myCloudFunction, /functions/MyCloudFunction,           NULL",
            "POST /functions/myCloudFunction, NULL,                                 NULL",
            // parameterised routes: the path's segment, spelled canonically
            "POST /functions/{name},          /functions/adminReport,               adminReport",
            "POST /functions/{name},          /functions/adminReport/extra,         adminReport",
            "POST /functions/{name},          /functions/admin%52eport,             NULL",
            "POST /functions/{name},          /functions/admin%2FReport,            NULL",
            "POST /functions/{name},          /functions/admin%2fReport,            NULL",
            "POST /functions/{name},          /functions/admin%20Report,            NULL",
            "POST /functions/{name},          /functions/..,                        NULL",
            "POST /functions/{name},          /functions/,                          NULL",
            "ANY /functions/{proxy+},         /functions/adminReport/a/b,           adminReport",
            "ANY /functions/{proxy+},         /functions/adminReport/a//b,          NULL",
            "ANY /functions/{proxy+},         /functions/adminReport/%2e%2e/other,  NULL",
            "POST /functions/orders/{id},     /functions/orders/42,                 orders",
            "POST /functions/orders/{id},     /functions/orders/a%2Fb,              NULL",
            "POST /functions/orders/{id},     /functions/orders/%E4%BD%A0,          orders",
            // $default: the path decides
            "$default,                        /functions/adminReport,               adminReport",
            "$default,                        /functions/admin%52eport,             NULL",
            "$default,                        /anything/else,                       /anything/else",
            "$default,                        /anything/./else,                     NULL",
            // other gated routes: the route key
            "POST /account/delete,            /account/delete,                      /account/delete",
    })
    void theRoutedNameOrADenial(String routeKey, String rawPath, String expected) {
        assertThat(FunctionRoute.name(routeKey, rawPath)).isEqualTo(expected);
    }
}
