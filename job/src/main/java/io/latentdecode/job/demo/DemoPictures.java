package io.latentdecode.job.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/** Pictures a person recognises at a glance, drawn with Java2D, for the demo's latents. */
final class DemoPictures {
  static final int SIZE = 512;

  private DemoPictures() {}

  static Map<String, BufferedImage> all() {
    Map<String, BufferedImage> pictures = new LinkedHashMap<>();
    pictures.put("sunset-mountains", sunset());
    pictures.put("smiley", smiley());
    pictures.put("checkerboard", checkerboard());
    pictures.put("traffic-light", trafficLight());
    pictures.put("title-card", titleCard());
    pictures.put("color-wheel", colorWheel());
    return pictures;
  }

  private static BufferedImage sunset() {
    return draw(
        g -> {
          g.setPaint(
              new GradientPaint(0, 0, new Color(40, 20, 90), 0, 330, new Color(250, 140, 60)));
          g.fillRect(0, 0, SIZE, SIZE);
          g.setColor(new Color(255, 220, 90));
          g.fillOval(196, 200, 120, 120);
          g.setColor(new Color(60, 50, 80));
          g.fillPolygon(
              new Polygon(
                  new int[] {0, 140, 260, 380, 512, 512, 0},
                  new int[] {360, 220, 330, 200, 340, 512, 512},
                  7));
          g.setColor(new Color(30, 60, 110));
          g.fillRect(0, 420, SIZE, 92);
        });
  }

  private static BufferedImage smiley() {
    return draw(
        g -> {
          g.setColor(new Color(120, 190, 240));
          g.fillRect(0, 0, SIZE, SIZE);
          g.setColor(new Color(255, 215, 0));
          g.fillOval(76, 76, 360, 360);
          g.setColor(Color.BLACK);
          g.fillOval(180, 180, 40, 60);
          g.fillOval(292, 180, 40, 60);
          g.setStroke(new BasicStroke(18, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
          g.drawArc(166, 200, 180, 150, 200, 140);
        });
  }

  private static BufferedImage checkerboard() {
    return draw(
        g -> {
          for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
              g.setColor((x + y) % 2 == 0 ? new Color(240, 230, 210) : new Color(120, 70, 40));
              g.fillRect(x * 64, y * 64, 64, 64);
            }
          }
          g.setColor(new Color(200, 30, 30));
          g.fillOval(200, 200, 112, 112);
        });
  }

  private static BufferedImage trafficLight() {
    return draw(
        g -> {
          g.setColor(new Color(200, 230, 200));
          g.fillRect(0, 0, SIZE, SIZE);
          g.setColor(new Color(40, 40, 40));
          g.fillRoundRect(176, 40, 160, 432, 40, 40);
          g.setColor(new Color(230, 40, 40));
          g.fillOval(206, 70, 100, 100);
          g.setColor(new Color(250, 200, 40));
          g.fillOval(206, 206, 100, 100);
          g.setColor(new Color(40, 200, 80));
          g.fillOval(206, 342, 100, 100);
        });
  }

  private static BufferedImage titleCard() {
    return draw(
        g -> {
          g.setPaint(
              new GradientPaint(0, 0, new Color(20, 90, 160), SIZE, SIZE, new Color(20, 160, 120)));
          g.fillRect(0, 0, SIZE, SIZE);
          g.setColor(Color.WHITE);
          g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 96));
          g.drawString("LATENT", 60, 230);
          g.drawString("DECODE", 50, 350);
        });
  }

  private static BufferedImage colorWheel() {
    return draw(
        g -> {
          g.setColor(Color.WHITE);
          g.fillRect(0, 0, SIZE, SIZE);
          for (int i = 0; i < 12; i++) {
            g.setColor(Color.getHSBColor(i / 12f, 0.9f, 0.95f));
            g.fillArc(56, 56, 400, 400, i * 30, 30);
          }
          g.setColor(Color.WHITE);
          g.fillOval(176, 176, 160, 160);
        });
  }

  private interface Painter {
    void paint(Graphics2D g);
  }

  private static BufferedImage draw(Painter painter) {
    BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    painter.paint(g);
    g.dispose();
    return image;
  }
}
