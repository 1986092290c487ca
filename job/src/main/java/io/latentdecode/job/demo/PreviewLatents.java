package io.latentdecode.job.demo;

import java.awt.image.BufferedImage;

/**
 * Makes Stable-Diffusion-shaped latents ({@code [4, H/8, W/8]}, stored scaled by 0.18215 as SD
 * pipelines store them) that the demo's preview decoder turns back into the picture: each 8x8
 * block's mean colour in [-1, 1] is solved for the smallest 4-channel latent that the decoder's
 * fixed channel-to-RGB map ({@code make_demo_decoder.py}) sends to that colour.
 */
final class PreviewLatents {
  /** SD 1.5's scaling factor: decode with {@code --scaling-factor 0.18215}. */
  static final double SCALING_FACTOR = 0.18215;

  /** Latent channel to RGB, the same numbers as make_demo_decoder.py. */
  private static final double[][] LATENT_RGB_FACTORS = {
    {0.3512, 0.2297, 0.3227},
    {0.3250, 0.4974, 0.2350},
    {-0.2829, 0.1762, 0.2721},
    {-0.2120, -0.2616, -0.7177},
  };

  /** rgb -> latent: M^T (M M^T)^-1, where M (3x4) maps a latent to RGB. */
  private static final double[][] RGB_TO_LATENT = pseudoInverse();

  private PreviewLatents() {}

  /**
   * The latent of an image whose sides are multiples of 8, as C-order float32 values of {@code [4,
   * h, w]}.
   */
  static float[] of(BufferedImage image) {
    int h = image.getHeight() / 8;
    int w = image.getWidth() / 8;
    float[] latent = new float[4 * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double[] rgb = blockMean(image, x * 8, y * 8);
        for (int k = 0; k < 4; k++) {
          double v = 0;
          for (int c = 0; c < 3; c++) {
            v += RGB_TO_LATENT[k][c] * (2 * rgb[c] - 1);
          }
          latent[(k * h + y) * w + x] = (float) (v * SCALING_FACTOR);
        }
      }
    }
    return latent;
  }

  private static double[] blockMean(BufferedImage image, int x0, int y0) {
    double[] sum = new double[3];
    for (int y = y0; y < y0 + 8; y++) {
      for (int x = x0; x < x0 + 8; x++) {
        int p = image.getRGB(x, y);
        sum[0] += (p >> 16) & 0xff;
        sum[1] += (p >> 8) & 0xff;
        sum[2] += p & 0xff;
      }
    }
    return new double[] {sum[0] / (64 * 255.0), sum[1] / (64 * 255.0), sum[2] / (64 * 255.0)};
  }

  private static double[][] pseudoInverse() {
    double[][] m = new double[3][4];
    for (int c = 0; c < 3; c++) {
      for (int k = 0; k < 4; k++) {
        m[c][k] = LATENT_RGB_FACTORS[k][c];
      }
    }
    double[][] mmt = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          mmt[i][j] += m[i][k] * m[j][k];
        }
      }
    }
    double[][] inv = invert3x3(mmt);
    double[][] result = new double[4][3];
    for (int k = 0; k < 4; k++) {
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < 3; i++) {
          result[k][c] += m[i][k] * inv[i][c];
        }
      }
    }
    return result;
  }

  private static double[][] invert3x3(double[][] a) {
    double det =
        a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    double[][] inv = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        int r1 = (j + 1) % 3;
        int r2 = (j + 2) % 3;
        int c1 = (i + 1) % 3;
        int c2 = (i + 2) % 3;
        inv[i][j] = (a[r1][c1] * a[r2][c2] - a[r1][c2] * a[r2][c1]) / det;
      }
    }
    return inv;
  }
}
