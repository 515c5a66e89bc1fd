/**
 * The screenshot tour: drives the app through each tab under Xvfb and writes docs/images
 * ({@code app-ui/screenshots.sh}).
 */
package dev.roundhouse.app.tour;
