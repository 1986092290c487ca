package io.latentdecode.udf.contract;

import java.io.Serializable;

/**
 * One image of the run page's contact sheet, made by the task that decoded it.
 *
 * @param id the image's id
 * @param width the stored image's width
 * @param height the stored image's height
 * @param format how the image is stored ({@code png}, {@code jpeg}, ...)
 * @param pngBase64 the thumbnail, a PNG in base64, to embed in the page
 */
public record Thumbnail(String id, int width, int height, String format, String pngBase64)
    implements Serializable {}
