package dev.roundhouse.app;

import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.text.Font;
import javafx.scene.text.Text;

/**
 * Read-only table columns from accessor functions; optional per-cell style class (alarm colours). Every
 * cell's tooltip holds its whole text, so a value cut off by a narrow window can still be read.
 */
public final class Tables {
  /** Room a header needs beside its text (the label's padding and the column's borders). */
  private static final double HEADER_PADDING = 14;

  private Tables() {}

  public static <T> TableColumn<T, Object> column(String title, Function<T, Object> value) {
    TableColumn<T, Object> c = new TableColumn<>(title);
    c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(value.apply(cd.getValue())));
    c.setCellFactory(col -> new TableCell<>() {
      @Override
      protected void updateItem(Object item, boolean empty) {
        super.updateItem(item, empty);
        show(this, empty ? null : item);
      }
    });
    return c;
  }

  /**
   * Every column at least as wide as its header text (measured in the default font) and no wider to start
   * with (a column's default width is 80 px), so the columns fit a table as narrow as their headers; a
   * flex-last-column policy gives the rest to the last column.
   */
  public static void fitHeaders(TableView<?> table) {
    for (TableColumn<?, ?> c : table.getColumns()) {
      double w = Math.max(c.getMinWidth(), textWidth(c.getText()) + HEADER_PADDING);
      c.setMinWidth(w);
      c.setPrefWidth(w);
    }
  }

  /** Width of {@code s} in the default font, as a label would lay it out. */
  public static double textWidth(String s) {
    Text t = new Text(s);
    t.setFont(Font.getDefault());
    return Math.ceil(t.getLayoutBounds().getWidth());
  }

  private static void show(TableCell<?, ?> cell, Object item) {
    String text = item == null ? null : item.toString();
    cell.setText(text);
    if (text == null || text.isEmpty()) {
      cell.setTooltip(null);
    } else if (cell.getTooltip() == null) {
      cell.setTooltip(new javafx.scene.control.Tooltip(text));
    } else {
      cell.getTooltip().setText(text);
    }
  }

  /** A column whose cells get style class {@code styleClass(row)} (null for none), e.g. "level-alarm". */
  public static <T> TableColumn<T, Object> styled(String title, Function<T, Object> value,
      Function<T, String> styleClass) {
    TableColumn<T, Object> c = column(title, value);
    c.setCellFactory(col -> new TableCell<>() {
      @Override
      protected void updateItem(Object item, boolean empty) {
        super.updateItem(item, empty);
        getStyleClass().removeIf(s -> s.startsWith("level-"));
        show(this, empty ? null : item);
        if (empty || item == null) {
          return;
        }
        T row = getTableRow() == null ? null : getTableRow().getItem();
        String cls = row == null ? null : styleClass.apply(row);
        if (cls != null) {
          getStyleClass().add(cls);
        }
      }
    });
    return c;
  }
}
