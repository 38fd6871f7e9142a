/* A program a user of the installed library would write. */
#include <stdio.h>

#include <vnn/vnn.h>

int main(void)
{
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {0};
    vnn_status st = vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2);
    if (st != VNN_OK) {
        fprintf(stderr, "vnn_sgemm: %s\n", vnn_status_str(st));
        return 1;
    }
    printf("isa=%s c=[%g %g %g %g]\n", vnn_isa_name(vnn_get_isa()), c[0], c[1], c[2], c[3]);
    return c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50 ? 0 : 1;
}
